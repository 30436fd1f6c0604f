/** The engine drivers live in tools/engines/drivers.ts (the realsize bench drives the same engines). */
export * from '../../tools/engines/drivers';
