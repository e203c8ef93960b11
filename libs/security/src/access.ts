import { SetMetadata } from '@nestjs/common';

/**
 * Who may call a route. `public`: anyone (probes). `predict`: any API key when API_KEYS is set,
 * anyone otherwise. `admin`: an admin key when ADMIN_API_KEYS is set, otherwise only clients on
 * the loopback interface. Routes without the decorator are admin: a route forgotten is closed.
 */
export type AccessLevel = 'public' | 'predict' | 'admin';

export const ACCESS_LEVEL = 'access-level';

export const Access = (level: AccessLevel) => SetMetadata(ACCESS_LEVEL, level);
