'use strict'
// The napi-rs generated loader (../index.js, written by `napi build`) picks the
// right `.node` file for this platform.
module.exports = require('../index.js')
