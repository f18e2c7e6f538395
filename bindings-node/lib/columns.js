'use strict'
// Assembles plain record objects from the columns of src/columns.rs (the layout is
// documented there). Kept allocation-lean on purpose: the cost of a big batch is
// mostly the garbage collector copying what this loop allocates.

const NULL = 0xffffffff

function sessionsFrom({ count, dict, text: s, slots, numbers }) {
  const out = new Array(count)
  let pos = 0
  for (let i = 0, o = 0, n = 0; i < count; i++, o += 8, n += 3) {
    const e2 = slots[o + 2]
    const e3 = slots[o + 3]
    const e4 = slots[o + 4]
    const e5 = slots[o + 5]
    const ani = s.slice(pos, e2)
    const timestamp = s.slice(e2, e3)
    const dnis = s.slice(e3, e4)
    const sessionId = s.slice(e4, e5)
    const l = slots[o + 6]
    let label = null
    let message = null
    if (l !== NULL) {
      label = dict[l]
      pos = slots[o + 7]
      message = s.slice(e5, pos)
    } else {
      pos = e5
    }
    const start = numbers[n]
    const call = !Number.isNaN(start) // NaN marks a null
    out[i] = {
      kind: dict[slots[o]],
      ani,
      channel: slots[o + 1],
      timestamp,
      dnis,
      session_id: sessionId,
      call_start: call ? start : null,
      call_end: call ? numbers[n + 1] : null,
      duration: call ? numbers[n + 2] : null,
      label,
      message,
    }
  }
  return out
}

function errorsFrom({ count, text: s, slots }) {
  const out = new Array(count)
  let pos = 0
  for (let i = 0, o = 0; i < count; i++, o += 6) {
    const e1 = slots[o + 1]
    const e2 = slots[o + 2]
    const e3 = slots[o + 3]
    const e4 = slots[o + 4]
    const e5 = slots[o + 5]
    out[i] = {
      ani: s.slice(pos, e1),
      channel: slots[o],
      timestamp: s.slice(e1, e2),
      dnis: s.slice(e2, e3),
      session_id: s.slice(e3, e4),
      message: s.slice(e4, e5),
    }
    pos = e5
  }
  return out
}

/** Records of a columns batch; `{ records, problems }` when it was parsed leniently. */
function fromColumns(cols) {
  const records = cols.shape === 'errors' ? errorsFrom(cols) : sessionsFrom(cols)
  if (cols.problems == null) return records
  return { records, problems: JSON.parse(cols.problems) }
}

module.exports = { fromColumns, sessionsFrom, errorsFrom }
