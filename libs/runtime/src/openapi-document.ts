import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ApiKeys, AuthFailures } from '@app/security';
import { documentHealthRoutes } from './health-openapi';
import { docsAccessMiddleware } from './http-hardening';

/** Where the OpenAPI UI and document are served: each behind the prediction routes' key check. */
const DOCS_PATHS = { ui: '/docs', json: '/docs-json', yaml: '/docs-yaml' } as const;

/**
 * Publishes OpenAPI at /docs (the UI), /docs-json and /docs-yaml, built on first request from
 * the routes' decorators. Outside the runtime barrel: only the gateway imports it.
 */
export function publishOpenApi(title: string): (app: INestApplication) => void {
  return (app) => {
    // One list for what is served and what is guarded, so no form of the document escapes the key check.
    app.use(Object.values(DOCS_PATHS), docsAccessMiddleware(app.get(ApiKeys), app.get(AuthFailures)));
    documentHealthRoutes();
    // 3.1: its schemas are JSON Schema 2020-12, exactly what the zod schemas generate.
    const doc = new DocumentBuilder()
      .setOpenAPIVersion('3.1.0')
      .setTitle(title)
      .setVersion('1')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' })
      .build();
    SwaggerModule.setup(DOCS_PATHS.ui.slice(1), app, () => SwaggerModule.createDocument(app, doc), {
      jsonDocumentUrl: DOCS_PATHS.json,
      yamlDocumentUrl: DOCS_PATHS.yaml,
    });
  };
}
