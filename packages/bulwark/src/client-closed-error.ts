import { BulwarkError } from '@bulwark/core';

const closedMarker = 'bulwark.error.client_closed';
const closedSymbol = Symbol.for(closedMarker);

/** A call was made on a client after `close()`. */
export class ClientClosedError extends BulwarkError {
  readonly [closedSymbol] = true;
  constructor() {
    super({ message: 'The Bulwark client is closed', code: 'client_closed' });
    this.name = 'ClientClosedError';
  }
  static override isInstance(error: unknown): error is ClientClosedError {
    return BulwarkError.hasMarker(error, closedMarker);
  }
}
