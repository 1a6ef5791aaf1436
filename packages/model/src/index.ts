export type {
  BoardSummary,
  ChecklistItem,
  Grid,
  HistoryEntry,
  LatLng,
  Member,
  Priority,
  SessionUser,
  Task,
  TaskComment,
  TaskInput,
  TaskKind,
  TaskPatch,
  TaskStatus,
} from './types.ts';
export { LIMITS, PRIORITIES, TASK_KINDS, TASK_STATUSES } from './types.ts';
export type { Action, Principal, Resource, Role } from './permissions.ts';
export {
  ACTIONS,
  PERMISSIONS,
  RESOURCES,
  ROLES,
  WORKSPACE_WIDE_ROLES,
  WORK_FIELDS,
  can,
  inScope,
  isReadOnly,
  renderPermissionTable,
} from './permissions.ts';
export type { DocumentKind, DocumentRef } from './names.ts';
export {
  boardDocName,
  isValidSegment,
  parseDocName,
  rosterDocName,
  workspaceDocName,
} from './names.ts';
export { csvCell } from './csv.ts';
export type { SchemaNode } from './schema.ts';
export { documentSchemas, isId, isLatLng, taskSchema } from './schema.ts';
export { TaskBoard, byOrder, readTask } from './board.ts';
export { WorkspaceDirectory } from './workspace.ts';
export type {
  AreaFileProblemCode,
  AreaImportPreview,
  AreaImportProblemCode,
  AreaImportRow,
  AreaProblemCode,
  GridArea,
  Position,
  Ring,
} from './area.ts';
export {
  AREA_LIMITS,
  AREA_MATCH_PROPERTIES,
  areaFromRings,
  areaPolygons,
  areaProblem,
  areaVertexCount,
  isGridArea,
  mapAreaPositions,
  previewAreaImport,
} from './area.ts';
export type { MapSettings, TileCrs, TileUrlProblem } from './map-settings.ts';
export {
  DEFAULT_MAP_SETTINGS,
  MAP_LIMITS,
  TILE_CRS,
  isMapSettings,
  readMapSettings,
  tileUrlProblem,
} from './map-settings.ts';
export { newId } from './ids.ts';
export {
  CLOSE,
  MESSAGE_NOTICE,
  MESSAGE_SAVED,
  REFUSAL_KEPT,
  REFUSAL_NOT_KEPT,
} from './protocol.ts';
export type {
  ClientToServerEvents,
  Notification,
  RosterAlarmEvent,
  ServerToClientEvents,
} from './events.ts';
export * from './roster/index.ts';
export type {
  CheckpointPin,
  Coverage,
  DailyReport,
  GridCounters,
  MapPin,
  ReportCounts,
  ReportEvent,
  ReportRow,
  SummaryDelta,
  SummaryEvent,
  SummarySnapshot,
  TaskFacts,
} from './summary.ts';
export {
  MAX_PINS,
  MAX_RECENT_EVENTS,
  MAX_REPORT_EVENTS,
  buildDailyReport,
  checkpointPin,
  countCheckpoints,
  countGrid,
  coverage,
  dayOf,
  dayRange,
  doneAt,
  factsVisible,
  isDay,
  isOpen,
  isOverdue,
  pinKey,
  pinOf,
  sumCounters,
  taskFacts,
  zoneOffset,
} from './summary.ts';
