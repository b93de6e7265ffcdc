// A small JSON reader for the tests (the JVM test classpath has no JSON library): objects
// become Map<String, Any?>, arrays List<Any?>, numbers Long (or Double), and true/false/null.
package jp.mynakit.test

object Json {
    fun parse(text: String): Any? {
        val p = Parser(text)
        val v = p.value()
        p.skipSpace()
        require(p.atEnd()) { "trailing characters at ${p.pos}" }
        return v
    }

    private class Parser(val s: String) {
        var pos = 0

        fun atEnd() = pos >= s.length

        fun skipSpace() {
            while (!atEnd() && s[pos].isWhitespace()) pos++
        }

        fun value(): Any? {
            skipSpace()
            require(!atEnd()) { "unexpected end of JSON" }
            return when (s[pos]) {
                '{' -> obj()
                '[' -> arr()
                '"' -> str()
                't' -> word("true", true)
                'f' -> word("false", false)
                'n' -> word("null", null)
                else -> num()
            }
        }

        fun word(w: String, v: Any?): Any? {
            require(s.startsWith(w, pos)) { "bad literal at $pos" }
            pos += w.length
            return v
        }

        fun obj(): Map<String, Any?> {
            val m = LinkedHashMap<String, Any?>()
            pos++
            skipSpace()
            if (s[pos] == '}') { pos++; return m }
            while (true) {
                skipSpace()
                val k = str()
                skipSpace()
                require(s[pos] == ':') { "':' expected at $pos" }
                pos++
                m[k] = value()
                skipSpace()
                when (s[pos++]) {
                    ',' -> continue
                    '}' -> return m
                    else -> error("',' or '}' expected at ${pos - 1}")
                }
            }
        }

        fun arr(): List<Any?> {
            val l = ArrayList<Any?>()
            pos++
            skipSpace()
            if (s[pos] == ']') { pos++; return l }
            while (true) {
                l.add(value())
                skipSpace()
                when (s[pos++]) {
                    ',' -> continue
                    ']' -> return l
                    else -> error("',' or ']' expected at ${pos - 1}")
                }
            }
        }

        fun str(): String {
            require(s[pos] == '"') { "string expected at $pos" }
            pos++
            val b = StringBuilder()
            while (true) {
                val c = s[pos++]
                when (c) {
                    '"' -> return b.toString()
                    '\\' -> {
                        when (val e = s[pos++]) {
                            '"', '\\', '/' -> b.append(e)
                            'b' -> b.append('\b')
                            'f' -> b.append('\u000C')
                            'n' -> b.append('\n')
                            'r' -> b.append('\r')
                            't' -> b.append('\t')
                            'u' -> { b.append(s.substring(pos, pos + 4).toInt(16).toChar()); pos += 4 }
                            else -> error("bad escape \\$e")
                        }
                    }
                    else -> b.append(c)
                }
            }
        }

        fun num(): Any {
            val start = pos
            while (!atEnd() && (s[pos].isDigit() || s[pos] in "+-.eE")) pos++
            val t = s.substring(start, pos)
            require(t.isNotEmpty()) { "value expected at $start" }
            return t.toLongOrNull() ?: t.toDouble()
        }
    }
}

/** Hex (upper or lower case) to bytes. */
fun hexBytes(hex: String): ByteArray = ByteArray(hex.length / 2) { hex.substring(2 * it, 2 * it + 2).toInt(16).toByte() }

/** Bytes to upper-case hex. */
fun ByteArray.hex(): String = joinToString("") { "%02X".format(it) }
