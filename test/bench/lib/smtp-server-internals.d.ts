// smtp-server's connection class, exported by the package (lib/*) but not described by @types/smtp-server.
declare module 'smtp-server/lib/smtp-connection' {
  export const SMTPConnection: { prototype: object };
}
