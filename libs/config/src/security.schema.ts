import { z } from 'zod';
import { bool, readableFile } from './env-values';

const secret = () => z.string().min(1).optional();

/**
 * Credentials and TLS for Kafka and Elasticsearch. Secrets may also come from files
 * (`KAFKA_SASL_PASSWORD_FILE`, ...; see secret-files.ts), which are read before this schema runs.
 */
export const SECURITY_ENV_SCHEMA = {
  KAFKA_SSL: bool(false),
  KAFKA_SSL_CA_FILE: readableFile().optional(),
  KAFKA_SSL_CERT_FILE: readableFile().optional(),
  KAFKA_SSL_KEY_FILE: readableFile().optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: bool(true),
  KAFKA_SASL_MECHANISM: z.enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512']).default('none'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: secret(),
  ELASTICSEARCH_USERNAME: z.string().min(1).optional(),
  ELASTICSEARCH_PASSWORD: secret(),
  ELASTICSEARCH_API_KEY: secret(),
  ELASTICSEARCH_CA_FILE: readableFile().optional(),
  ELASTICSEARCH_TLS_REJECT_UNAUTHORIZED: bool(true),
};

type SecurityConfig = z.infer<z.ZodObject<typeof SECURITY_ENV_SCHEMA>>;

/** Variables whose values never appear in an error message or a log line. */
export const isSecretVariable = (name: string): boolean => /PASSWORD|API_KEY|SECRET|TOKEN/i.test(name);

/**
 * Rules that span variables. Half a credential is a configuration mistake, not a request to
 * connect anonymously, so it stops the service instead of failing at the first connection.
 */
export function checkCredentials(c: SecurityConfig, ctx: z.RefinementCtx): void {
  const problem = (variable: keyof SecurityConfig, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });

  if (c.KAFKA_SASL_MECHANISM !== 'none') {
    if (!c.KAFKA_SASL_USERNAME) problem('KAFKA_SASL_USERNAME', `is required when KAFKA_SASL_MECHANISM is ${c.KAFKA_SASL_MECHANISM}`);
    if (!c.KAFKA_SASL_PASSWORD) problem('KAFKA_SASL_PASSWORD', `is required when KAFKA_SASL_MECHANISM is ${c.KAFKA_SASL_MECHANISM}`);
  } else if (c.KAFKA_SASL_USERNAME || c.KAFKA_SASL_PASSWORD) {
    problem('KAFKA_SASL_MECHANISM', 'must be plain, scram-sha-256 or scram-sha-512 when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set');
  }
  if (!c.KAFKA_SSL) {
    for (const file of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const) {
      if (c[file]) problem('KAFKA_SSL', `must be true when ${file} is set`);
    }
  }
  if (c.KAFKA_SSL_CERT_FILE && !c.KAFKA_SSL_KEY_FILE) problem('KAFKA_SSL_KEY_FILE', 'is required with KAFKA_SSL_CERT_FILE (mutual TLS needs both)');
  if (c.KAFKA_SSL_KEY_FILE && !c.KAFKA_SSL_CERT_FILE) problem('KAFKA_SSL_CERT_FILE', 'is required with KAFKA_SSL_KEY_FILE (mutual TLS needs both)');

  const basic = c.ELASTICSEARCH_USERNAME !== undefined || c.ELASTICSEARCH_PASSWORD !== undefined;
  if (c.ELASTICSEARCH_API_KEY && basic) {
    problem('ELASTICSEARCH_API_KEY', 'cannot be combined with ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD: choose one way to authenticate');
  } else if (basic) {
    if (!c.ELASTICSEARCH_USERNAME) problem('ELASTICSEARCH_USERNAME', 'is required with ELASTICSEARCH_PASSWORD');
    if (!c.ELASTICSEARCH_PASSWORD) problem('ELASTICSEARCH_PASSWORD', 'is required with ELASTICSEARCH_USERNAME');
  }
}
