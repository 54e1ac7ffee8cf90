// Where `codegen keys` keeps records: a JSON key file (the embedded default) or the
// PostgreSQL table (`--store postgres`). The commands read and change records through
// this one interface, so issuing, rotating, revoking and listing are written once.
import { readKeyFile, writeKeyFile, type KeyFileRecord } from './records.js';

export interface KeyRecords {
  /** What messages name: the file as given, or the table and its host. */
  readonly name: string;
  all(): Promise<readonly KeyFileRecord[]>;
  one(id: string): Promise<KeyFileRecord | undefined>;
  /**
   * The records a change of key `id` (or a new key, without `id`) is checked against: the
   * whole file (so a new id is unique in it), or the one row (the table's primary key
   * keeps ids unique).
   */
  around(id?: string): Promise<readonly KeyFileRecord[]>;
  /** Writes these records (new ones added, others replaced by id), all or none. */
  save(changed: readonly KeyFileRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** A key file, read once; `save` writes it atomically (only if nobody changed it since). */
export function fileRecords(name: string, cwd: string, options: { readonly create?: boolean } = {}): KeyRecords {
  const file = readKeyFile(name, cwd, options);
  return {
    name: file.name,
    all: async () => file.records,
    one: async (id) => file.records.find((r) => r.id === id),
    around: async () => file.records,
    async save(changed) {
      const byId = new Map(changed.map((r) => [r.id, r]));
      const kept = file.records.map((r) => byId.get(r.id) ?? r);
      const added = changed.filter((r) => !file.records.some((old) => old.id === r.id));
      writeKeyFile(file, [...kept, ...added]);
    },
    close: async () => undefined,
  };
}
