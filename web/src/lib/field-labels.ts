/** Task fields that have a translated label (`fields.<name>` in the i18n dictionaries). */
const LABELLED_FIELDS = new Set([
  'title',
  'description',
  'status',
  'kind',
  'priority',
  'grid',
  'location',
  'due',
  'assignees',
  'tags',
  'checklist',
  'comments',
  'order',
  'archived',
]);

/** A field's label in the current language, or its name when it has none. */
export function fieldLabel(field: string, translate: (key: string) => string): string {
  return LABELLED_FIELDS.has(field) ? translate(`fields.${field}`) : field;
}
