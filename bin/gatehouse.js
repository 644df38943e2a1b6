#!/usr/bin/env node
// The `gatehouse` command: runs the compiled CLI from dist/ (built by `npm install`).
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
