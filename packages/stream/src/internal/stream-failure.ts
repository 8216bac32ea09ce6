/** What went wrong with a stream after its response headers arrived (`callback`: the caller's `onText` / `onEvent` threw). */
export type StreamFailureKind = 'stall' | 'incomplete' | 'malformed' | 'error_event' | 'timeout' | 'callback';

/**
 * A failure of one attempt that the SDK does not report as an error of its own (a stall, a
 * stream that ended without `message_stop`, a frame that is not JSON, an `event: error`).
 */
export class StreamFailure extends Error {
  readonly kind: StreamFailureKind;
  /** The API error type of an `event: error` frame (`overloaded_error`, `api_error`, ...). */
  readonly errorType: string | undefined;

  constructor(
    kind: StreamFailureKind,
    message: string,
    { cause, errorType }: { cause?: unknown; errorType?: string } = {},
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'StreamFailure';
    this.kind = kind;
    this.errorType = errorType;
  }
}
