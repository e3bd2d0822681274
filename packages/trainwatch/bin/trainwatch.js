#!/usr/bin/env node
'use strict';
// The `trainwatch` command: the runner's CLI (run, doctor, report, export, validate, plugins, schema).
require('@trainwatch/runner').runCli(process.argv);
