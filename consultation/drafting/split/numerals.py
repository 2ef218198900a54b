"""Numbers written in Chinese numerals or in (full-width) digits."""

from __future__ import annotations

# Not cn2an 0.5.24: it reads neither digits nor 百 alone, is 15x slower, and its wheel litters site-packages.
_CN_DIGITS = {ch: value for value, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千"


def cn_numeral_to_int(s: str) -> int:
    """Read a number written in Chinese numerals (一百二十三, 两百, 二〇二三) or Arabic/full-width digits."""
    s = s.strip()
    if not s:
        raise ValueError("empty numeral")
    if s.isdecimal():
        return int(s)  # int() reads full-width digits as well
    if all(ch in _CN_DIGITS for ch in s):  # positional, as in years: 二〇二三
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    total, digit, last_unit = 0, None, 10**9
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit >= last_unit:
                raise ValueError(f"not a Chinese numeral: {s!r}")
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + (digit or 0)
