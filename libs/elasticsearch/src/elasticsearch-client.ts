import { Client } from '@elastic/elasticsearch';

/** Short timeouts and no client retries: the event consumer owns retrying, with backoff. */
export function createElasticsearchClient(url: string): Client {
  return new Client({ node: url, requestTimeout: 10_000, maxRetries: 0 });
}
