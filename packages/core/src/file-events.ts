export interface FileChunkEvent {
  path: string;
  index: number;
  tokenCount: number;
  byteStart: number;
  byteEnd: number;
  lineStart: number;
  lineEnd: number;
}

/** Why a file was refused. */
export type FileRefusalReason =
  | 'outside_root'
  | 'symlink_escape'
  | 'not_a_file'
  | 'too_large'
  | 'binary'
  | 'encoding'
  | 'not_found'
  | 'permission';

export interface FileRefusedEvent {
  path: string;
  reason: FileRefusalReason;
  message: string;
}
