#!/usr/bin/env node
// The bundle is minified: with DEBUG=1, stack traces point into the sources through its source maps.
if (process.env.DEBUG) process.setSourceMapsEnabled(true);
const { main } = await import('../dist/bundle/main.js');

main(process.argv);
