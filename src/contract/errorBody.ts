/** Every route's error answer, `{ "error": { "code", "message", "requestId" } }`: src/http writes it, the viewer reads it. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    target?: string;
    requestId?: string;
    graphRequestId?: string;
    lastState?: string;
  };
}
