// The CommonJS face: `require('plumlogs')` is typed the same.
import plumlogs = require('plumlogs')

const recs: plumlogs.SessionRecord[] = plumlogs.parseSessions('')
const client: plumlogs.Client = new plumlogs.Client({ username: 'u', password: 'p' })
const p: Promise<plumlogs.ErrorRecord[]> = client.errors(0, new Date())
