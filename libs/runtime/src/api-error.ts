export { apiErrorBodySchema, errorMessageOf, type ApiErrorBody, type ErrorDetail } from '@app/contracts';
