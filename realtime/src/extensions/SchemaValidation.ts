import { CLOSE, documentSchemas } from '@outpost/model';
import { HookError, type BeforeApplyUpdatePayload, type Extension } from '../core/types.ts';
import { SchemaViolation, validateUpdate } from './validateUpdate.ts';

/** Refuses client updates that write outside the model package's declared document shapes. */
export class SchemaValidation implements Extension {
  readonly name = 'schema-validation';
  readonly priority = 900;

  beforeApplyUpdate({ ref, doc, update, origin }: BeforeApplyUpdatePayload): void {
    if (origin.kind !== 'connection') return;
    try {
      validateUpdate(doc, update, documentSchemas[ref.kind]);
    } catch (error) {
      if (error instanceof SchemaViolation)
        throw new HookError(CLOSE.invalidMessage, `update refused: ${error.message}`);
      throw error;
    }
  }
}
