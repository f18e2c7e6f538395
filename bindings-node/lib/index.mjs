// ESM entry: the same objects as the CommonJS entry (one native module instance).
import plumlogs from './index.js'

export const {
  parseSessionLine,
  parseErrorLine,
  parseSessions,
  parseErrors,
  parseCallLog,
  parseSessionsAsync,
  parseErrorsAsync,
  parseCallLogAsync,
  decodeResponse,
  decodeResponseAsync,
  sessionIdParts,
  Client,
  Emulator,
  PlumError,
  ParseError,
  InvalidArgument,
  ApiError,
  AuthError,
  TransportError,
  AbortError,
  sync,
  SyncError,
} = plumlogs
export default plumlogs
