/**
 * The board's one error type. It carries the HTTP status the board answers with, so the message
 * a student's notebook prints is the same text the server logged.
 */
import { TransferLabError } from '../../errors';

/** A request the class results board refuses, or a board it cannot reach or start. */
export class BoardError extends TransferLabError {
  /** HTTP status for the server's answer (400 bad body, 401 no token, 403 not allowed, 5xx board or hub trouble). */
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}
