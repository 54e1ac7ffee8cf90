// What `codegen keys` refuses: bad flags, a key file it cannot use, an unknown id. The
// command turns it into a usage error (one line on stderr, exit 2), and nothing has
// been written when it is thrown.
export class KeysError extends Error {}
