/** A running throw-away PostgreSQL server (see postgres-server.mjs). */
export interface PostgresServer {
  /** `postgres://handoffs:<password>@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  readonly password: string;
  readonly user: string;
  /** The self-signed certificate the server presents (its own CA), when openssl was there. */
  readonly tls: { caFile: string } | undefined;
  /** How long start-up took (initdb, certificate, server ready), ms. */
  readonly startMs: number;
  pid(): number;
  restart(options?: { crash?: boolean; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}
export function postgresBinaries(): Promise<string>;
export function startPostgres(options?: { settings?: Record<string, string>; tls?: boolean }): Promise<PostgresServer>;
export function binariesPresent(): boolean;
export interface PostgresProxy {
  readonly port: number;
  loseReplyTo(text: string): Promise<void>;
  cutAll(): void;
  close(): Promise<void>;
}
export function startProxy(targetPort: number): Promise<PostgresProxy>;
