/**
 * TEMPORARY until the results board (branch classroom-board) is merged: the same signature as
 * src/classroom/board/service.ts `boardServiceConfig`, with no service, so the hub config can be
 * written and tested before the board exists. Removed at the merge.
 */
export function boardServiceConfig(_opts: { installDir: string; dataDir: string; port: number }): { services: object[]; roles: object[] } {
  return { services: [], roles: [] };
}
