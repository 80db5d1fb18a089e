#!/usr/bin/env python3
"""Writes the committed tokenizer test fixtures under Tests/Fixtures/tokenizer/.

Korean lines come from Korean Wikipedia (CC BY-SA 4.0; see Tests/Fixtures/tokenizer/README.md),
read from ../shared/data/kowiki/kowiki_dev_100MB.txt.zst (lines 20,001 onward, so they do not
overlap the benchmark input). English and Chinese/mixed lines are written here by hand, and the
hostile lines exercise the edge cases of normalization and byte fallback.

usage: python3 scripts/make-tokenizer-fixtures.py [KOWIKI.txt.zst]
"""
import os, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out_dir = os.path.join(root, "Tests", "Fixtures", "tokenizer")
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "..", "shared", "data", "kowiki", "kowiki_dev_100MB.txt.zst")
if not os.path.exists(src):
    src = "/work/shared/data/kowiki/kowiki_dev_100MB.txt.zst"

text = subprocess.run(["zstd", "-dc", src], capture_output=True, check=False).stdout[:12_000_000]
lines = text.decode("utf-8", "ignore").split("\n")[20000:-1]
picked = [l for l in lines if 40 <= len(l) <= 500][:420]
train, heldout = picked[:300], picked[300:]

english = """The quick brown fox jumps over the lazy dog.
Beautiful is better than ugly. Explicit is better than implicit.
Simple is better than complex, and complex is better than complicated.
Readability counts; special cases aren't special enough to break the rules.
In the face of ambiguity, refuse the temptation to guess.
Errors should never pass silently, unless explicitly silenced.
A tokenizer splits text into pieces that a language model can embed.
The merged vocabulary keeps every original id, so old checkpoints still load.
Byte fallback turns any character outside the vocabulary into UTF-8 byte pieces.
In 1969, Apollo 11 landed on the Moon; the crew returned on July 24.
Prices rose 3.5% year-on-year, while wages grew by only 2.1%.
Visit https://example.com/path?query=1&x=y for more details.
E-mail addresses such as someone@example.org should survive a round trip.
Don't panic: it's only a test, isn't it?
"Quoted speech," she said, "is common in news articles."
Version 2.0.1-beta was released on 2023-07-15 at 09:30 UTC.
Functions like encode(lines:) must keep the order of their input.
C++, C#, F# and Objective-C all have symbols in their names.
Mr. and Mrs. Smith moved to 221B Baker Street, London.
The ratio 16:9 is wider than 4:3, and 21:9 is wider still.
Whitespace   inside    a   line is kept by the identity normalizer.
UPPERCASE, lowercase, and MixedCase words tokenize differently.
Numbers: 0 1 2 3 4 5 6 7 8 9 10 100 1000 10000 123456789.
Temperature reached -40 degrees, where Celsius and Fahrenheit agree.
The café served crème brûlée and a jalapeño omelette.
Naïve approaches often fail on coöperation and résumé.
Straße, Größe and Fußball use the German sharp s.
Żółć, ćma and łódź are Polish words with diacritics.
Москва — столица России.
Η γλώσσα είναι ελληνική.
Tab\tseparated\tvalues\tappear in logs.
The end.""".split("\n")

chinese_mixed = """我爱北京天安门。
今天天气很好，我们去公园散步吧。
人工智能正在改变世界。
中华人民共和国成立于1949年。
这是一个测试句子，包含标点符号！
机器学习和深度学习是热门话题。
한국어와 中文을 섞은 문장입니다.
서울은 大韓民國의 수도이다.
LLaMA 모델은 English 위주로 학습되었다.
토크나이저(tokenizer)는 텍스트를 토큰으로 나눈다.
2023년 7월 15일, Seoul에서 conference가 열렸다.
이 문장에는 emoji 😀 가 들어 있다.
日本語の文章も少し入れておきます。
東京は日本の首都です。
한자 漢字와 한글 Hangul을 함께 쓴다.
GPU 메모리는 80GB이다.
"인용부호"와 '작은따옴표'를 사용한다.
URL: https://ko.wikipedia.org/wiki/대한민국""".split("\n")

long_line = "가나다라마바사아자차카타파하 " * 700 + "the end"
hostile = [
    "😀😃😄😁 emoji 👩‍👩‍👧‍👦 family 🇰🇷 flag",
    "e\u0301 combining acute, 한\u0301 on Hangul, a\u0308\u0304 stacked",
    "control\x01chars\x02and\x7fdelete\x1b[0m",
    "   leading and trailing spaces   ",
    "multiple     inner      spaces",
    "\u3000ideographic\u3000space\u3000",
    "no\u00a0break\u00a0space and zero\u200bwidth\u200dchars",
    "ㅋㅋㅋ ㅎㅎ ㅠㅠ compatibility jamo",
    "\u1100\u1161\u11a8 conjoining jamo",
    "Ｆｕｌｌｗｉｄｔｈ ＡＳＣＩＩ １２３",
    "㈜ ㎞ ½ ﬁ ligatures and compatibility",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters 𝟙𝟚𝟛",
    "\U0010fffd private use \ue000",
    "▁ already has a meta space ▁▁",
    "<s> </s> <unk> <0x41> look like special pieces",
    "\u200e\u200f bidi marks \u202e reversed",
    " ",
    "a",
    long_line,
]

def write(name, rows):
    with open(os.path.join(out_dir, name), "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            assert "\n" not in r and "\r" not in r
            f.write(r + "\n")

os.makedirs(out_dir, exist_ok=True)
write("kowiki-train.txt", train)
write("kowiki-heldout.txt", heldout)
write("english.txt", english)
write("chinese-mixed.txt", chinese_mixed)
write("hostile.txt", hostile)
print(len(train), len(heldout), len(english), len(chinese_mixed), len(hostile))
