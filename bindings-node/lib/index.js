'use strict'
// plumlogs: parse Plum Voice call, session and error logs and sync them from the
// Call Log REST API. Record fields: core's schema (`plumlogs::schema`).
const errors = require('./errors.js')
const parse = require('./parse.js')
const { Client } = require('./client.js')
const { Emulator } = require('./emulator.js')
const { sync, SyncError } = require('./sync.js')

module.exports = {
  parseSessionLine: parse.parseSessionLine,
  parseErrorLine: parse.parseErrorLine,
  parseSessions: parse.parseSessions,
  parseErrors: parse.parseErrors,
  parseCallLog: parse.parseCallLog,
  parseSessionsAsync: parse.parseSessionsAsync,
  parseErrorsAsync: parse.parseErrorsAsync,
  parseCallLogAsync: parse.parseCallLogAsync,
  decodeResponse: parse.decodeResponse,
  decodeResponseAsync: parse.decodeResponseAsync,
  sessionIdParts: parse.sessionIdParts,
  Client,
  Emulator,
  PlumError: errors.PlumError,
  ParseError: errors.ParseError,
  InvalidArgument: errors.InvalidArgument,
  ApiError: errors.ApiError,
  AuthError: errors.AuthError,
  TransportError: errors.TransportError,
  AbortError: errors.AbortError,
  sync,
  SyncError,
}
