/**
 * Hive Gateway with the router runtime (Hive Router's Rust query planner as a
 * native addon, and its own executor), otherwise configured as gateway.config.ts.
 * The handler is imported, not switched on by HIVE_ROUTER_RUNTIME: the CLI
 * falls back to its default runtime when that package fails to load, and a
 * benchmark must fail instead of measuring the wrong gateway.
 */
import { defineConfig } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { gatewayConfig as defaultRuntimeConfig } from './gateway.config.ts';

export const gatewayConfig = defineConfig({ ...defaultRuntimeConfig, unifiedGraphHandler });
