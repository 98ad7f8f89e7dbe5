/** The exit codes of every `voucherd` command (README, CLI; `voucherd --help`). */
export const EXIT = {
  ok: 0,
  /** The command ran and failed: e.g. a user with that email already exists. */
  failure: 1,
  /** Unknown command, unknown or missing option, a malformed value. Nothing was changed. */
  usage: 2,
  /** No organization, client or webhook endpoint with the id given. */
  notFound: 3,
  /** An invalid setting, or the database or port a setting names cannot be used. */
  config: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the command failed (e.g. a user with that email already exists)
  2  usage error: unknown command, unknown or missing option, malformed value (nothing changed)
  3  not found: no organization, client or webhook endpoint with that id
  4  configuration error: an invalid setting, or the database or port it names cannot be used`;
