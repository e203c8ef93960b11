import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type { AppConfig } from '@app/config';

export type ElasticsearchConnectionConfig = Pick<
  AppConfig,
  | 'ELASTICSEARCH_URL'
  | 'ELASTICSEARCH_USERNAME'
  | 'ELASTICSEARCH_PASSWORD'
  | 'ELASTICSEARCH_API_KEY'
  | 'ELASTICSEARCH_CA_FILE'
  | 'ELASTICSEARCH_TLS_REJECT_UNAUTHORIZED'
>;

/**
 * Short timeouts and no client retries: the event consumer owns retrying, with backoff.
 * Authenticates with an API key or basic auth (loadConfig allows one of them, never both), and
 * trusts ELASTICSEARCH_CA_FILE for a cluster with a private CA (Elasticsearch's default set-up).
 */
export function createElasticsearchClient(config: ElasticsearchConnectionConfig): Client {
  let auth: ClientOptions['auth'];
  if (config.ELASTICSEARCH_API_KEY) auth = { apiKey: config.ELASTICSEARCH_API_KEY };
  else if (config.ELASTICSEARCH_USERNAME && config.ELASTICSEARCH_PASSWORD)
    auth = { username: config.ELASTICSEARCH_USERNAME, password: config.ELASTICSEARCH_PASSWORD };
  return new Client({
    node: config.ELASTICSEARCH_URL,
    requestTimeout: 10_000,
    maxRetries: 0,
    auth,
    tls: {
      rejectUnauthorized: config.ELASTICSEARCH_TLS_REJECT_UNAUTHORIZED,
      ...(config.ELASTICSEARCH_CA_FILE && { ca: readFileSync(config.ELASTICSEARCH_CA_FILE) }),
    },
  });
}
