#!/usr/bin/env node
/** The `crm-realtime-conformance` command (see ./cli.ts). */
import { start } from './cli.js';

start(import.meta.url);
