#!/usr/bin/env python3
"""Writes the annotated extraction fixtures in Tests/Fixtures/extraction/.

Each page is rendered from one article record (title, date, section, paragraphs) into the HTML
template of its site (current or legacy Xinhua / People's Daily Korean, as NOTES.md and
crawlers/*.json describe them and the local replica serves them), with the boilerplate the site
rules must remove (share bars, captions, related links, source lines, datelines, rights line).
The `.expected.json` beside each page holds the clean answer. Texts are written for these tests.
Run from the repository root: python3 scripts/make-extraction-fixtures.py
"""
import json, os

OUT = "Tests/Fixtures/extraction"
os.makedirs(OUT, exist_ok=True)

def write(name, html, expected, encoding="utf-8"):
    with open(f"{OUT}/{name}.html", "wb") as f:
        f.write(html.encode(encoding))
    with open(f"{OUT}/{name}.expected.json", "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=2)
        f.write("\n")

def paras(ps):
    return "\n".join(f"<p>{p}</p>" for p in ps)

XINHUA_NAV = """<div class="header"><div class="nav"><a href="/">홈</a> <a href="/politics/index.html">정치</a>
<a href="/economy/index.html">경제</a> <a href="/society/index.html">사회</a> <a href="/culture/index.html">문화</a>
<a href="/search/?q=">검색</a></div></div>"""
XINHUA_FOOTER = """<div class="footer"><p>Copyright © 2024 Xinhua News Agency. All rights reserved.</p>
<p>신화망 한국어판 | 연락처 | 광고 문의</p></div>"""

def xinhua_current(name, path, title, date, section, dateline, ps, related):
    html = f"""<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8">
<title>{title}-신화망 한국어판</title>
<meta property="og:title" content="{title}">
<meta name="publishdate" content="{date}">
<meta name="section" content="{section}">
<link rel="stylesheet" href="/static/detail.css"><script>var _page = {{"type": "detail"}};</script>
</head><body>
{XINHUA_NAV}
<div class="main">
<div class="breadcrumb"><a href="/">신화망</a> &gt; <a href="/{'economy' if section == '경제' else 'world'}/index.html">{section}</a></div>
<div class="head-line"><h1><span class="title">{title}</span></h1></div>
<div class="header-time">{date} 10:21:35 &nbsp; 출처: 신화망</div>
<div class="share"><a href="#">위챗</a> <a href="#">웨이보</a> <a href="#">공유하기</a></div>
<div id="detailContent">
<p>{dateline}{ps[0]}</p>
<p><img src="/img/{name}.jpg" alt=""></p>
<p class="caption">사진은 행사장 모습. (사진/신화통신)</p>
{paras(ps[1:])}
<p>원문 출처:신화사</p>
<div class="share"><a href="#">공유</a></div>
</div>
<div class="related"><h3>관련 기사</h3><ul>{''.join(f'<li><a href="/20240301/{i:032x}/c.html">{r}</a></li>' for i, r in enumerate(related))}</ul></div>
</div>
{XINHUA_FOOTER}
<script>trackPage();</script>
</body></html>
"""
    write(name, html, {"url": f"https://kr.news.cn{path}", "site": "xinhua-ko", "title": title, "date": date, "paragraphs": ps})

def people_current(name, path, title, date, section, ps, encoding="utf-8", content_type=None, meta=True):
    month, day = int(date[5:7]), int(date[8:10])
    charset = "euc-kr" if encoding != "utf-8" else "utf-8"
    head_charset = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if meta else ""
    html = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
{head_charset}
<title>{title}--인민망 한국어판--인민일보</title>
<meta property="og:title" content="{title}" />
<meta name="publishdate" content="{date}" />
<meta name="keywords" content="{section}" />
<style>.wb_txt p{{text-indent:2em}}</style>
</head><body>
<div class="top_nav"><a href="/">홈</a> | <a href="/203/index.html">정치</a> | <a href="/204/index.html">경제</a> | <a href="/205/index.html">사회</a> | <a href="/206/index.html">문화</a></div>
<div class="w1000 route"><a href="/">인민망 한국어판</a>&gt;&gt;<a href="/204/index.html">{section}</a></div>
<div class="w1000 clearfix"><div class="wb_left">
<h1>{title}</h1>
<div class="box01"><div class="fl">{date[:4]}년 {date[5:7]}월 {date[8:10]}일 14:25 | 출처: 인민망 한국어판</div><div class="fr"><a href="#">글자 크게</a></div></div>
<div class="wb_txt">
<p>[인민망 한국어판 {month}월 {day}일] {ps[0]}</p>
<div class="pic"><img src="/NMediaFile/{name}.jpg" /></div>
<p class="pic_txt">[사진 출처: 인민망]</p>
{paras(ps[1:])}
<p>(책임편집: 왕수정)</p>
<p>번역: 박은희</p>
<p>무단 전재-재배포, AI 학습 및 활용 금지</p>
<div class="edit">(Web editor: 왕수정, 박은희)</div>
</div>
<div class="share"><a href="#">페이스북</a> <a href="#">트위터</a></div>
</div>
<div class="wb_right"><h3>많이 본 기사</h3><ul><li><a href="/n3/2024/0301/c204-1.html">中 양회 개막</a></li><li><a href="/n3/2024/0302/c204-2.html">위안화 환율 안정세</a></li></ul></div>
</div>
<div class="footer">인민망 한국어판 Copyright (C) 1997-2024 by www.people.com.cn. all rights reserved</div>
</body></html>
"""
    expected = {"url": f"http://kr.people.com.cn{path}", "site": "people-ko", "title": title, "date": date, "paragraphs": ps}
    if content_type:
        expected["contentType"] = content_type
    write(name, html, expected, encoding)

# --- Xinhua, current template -------------------------------------------------------------
xinhua_current(
    "xinhua-current", "/20240305/3f1d0c2e9a7b4c5d8e6f7a8b9c0d1e2f/c.html",
    "中 정부업무보고, 올해 경제성장률 목표 5% 안팎 제시", "2024-03-05", "경제", "(베이징=신화사) ",
    ["중국 정부가 5일 개막한 제14기 전국인민대표대회 제2차 회의에서 올해 국내총생산(GDP) 성장률 목표를 5% 안팎으로 제시했다.",
     "리창 국무원 총리는 이날 정부업무보고에서 도시 신규 일자리 1천200만 개 이상 창출, 도시 실업률 5.5% 안팎, 소비자물가 상승률 3% 안팎 등을 주요 목표로 밝혔다.",
     "보고는 과학기술 혁신을 통한 현대화 산업체계 구축을 올해 첫 번째 과제로 꼽고, 신품질 생산력 발전을 가속화하겠다고 강조했다.",
     "또 내수 확대를 위해 소비 촉진과 유효 투자 확대를 병행하고, 초장기 특별 국채 1조 위안을 발행해 국가 중대 전략과 안전 역량 건설에 쓰겠다고 설명했다.",
     "전문가들은 5% 안팎이라는 목표가 고용 안정과 경제 구조 전환을 함께 고려한 현실적인 수치라고 평가했다."],
    ["中 양회 개막 앞두고 기자회견", "올해 국방예산 7.2% 증액"])

xinhua_current(
    "xinhua-current-world", "/20240412/0a1b2c3d4e5f60718293a4b5c6d7e8f9/c.html",
    "유엔 안보리, 가자지구 인도적 지원 확대 논의", "2024-04-12", "국제", "(유엔=신화사) ",
    ["유엔 안전보장이사회가 11일(현지시간) 회의를 열고 가자지구에 대한 인도적 지원 확대 방안을 논의했다.",
     "푸충 주유엔 중국대표부 대사는 회의에서 \"민간인 보호는 국제인도법이 정한 의무\"라며 즉각적이고 지속적인 휴전을 촉구했다.",
     "회의에 참석한 각국 대표들은 구호 물자 반입 통로를 늘리고 구호 요원의 안전을 보장해야 한다는 데 의견을 같이했다."],
    ["중동 정세 관련 기자회견"])

# --- Xinhua, legacy template split over two pages ----------------------------------------
def xinhua_legacy_page(docid, page, pages, title, date, ps):
    nav = " ".join((f'<a href="c_{docid}.htm">1</a>' if n == 1 else f'<a href="c_{docid}_{n}.htm">{n}</a>') for n in range(1, pages + 1))
    nxt = f'<a href="c_{docid}_{page + 1}.htm">다음 페이지</a>' if page < pages else ""
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{title}_한국어_新华网</title>
<script type="text/javascript" src="http://www.xinhuanet.com/static/common.js"></script>
</head>
<body>
<table width="1000" align="center"><tr><td class="topnav"><a href="http://kr.xinhuanet.com/">신화망 한국어</a> | <a href="http://kr.xinhuanet.com/politics/index.htm">정치</a> | <a href="http://kr.xinhuanet.com/economy/index.htm">경제</a></td></tr></table>
<div id="center">
<h1 id="title">{title}</h1>
<div class="info"><span class="time">{date[:4]}년 {date[5:7]}월 {date[8:10]}일 09:14:02</span> <span class="source">출처: 신화망</span></div>
<div id="p-detail">
{paras(ps)}
<div class="page-nav" id="div_currpage">{nav} {nxt}</div>
</div>
<div class="related"><b>추천 기사</b> <a href="/2015-06/11/c_134319.htm">中 증시 상승 마감</a></div>
</div>
<div id="footer">Copyright © 2000-2015 XINHUANET.com All Rights Reserved.</div>
</body>
</html>
"""

legacy_title = "中 ‘일대일로’ 구상, 연선 국가와 협력 가속"
legacy_paras = [
    "중국이 제안한 ‘일대일로(一帶一路, 육상·해상 실크로드)’ 구상이 연선 국가들과의 협력 속에서 가속도를 내고 있다.",
    "중국 상무부에 따르면 올해 1~5월 중국 기업이 일대일로 연선 48개 국가에 직접 투자한 금액은 전년 동기 대비 16.9% 늘어난 49억 2천만 달러에 달했다.",
    "같은 기간 연선 국가에서 새로 체결한 대외 도급공사 계약은 모두 1천401건으로, 계약 금액은 전체의 45%를 차지했다.",
    "전문가들은 인프라 연결과 산업 협력이 맞물리면서 지역 경제 통합이 한층 빨라질 것으로 내다봤다.",
    "한편 아시아인프라투자은행(AIIB) 설립 협정 서명식이 이달 말 베이징에서 열릴 예정이어서 관련 사업 자금 조달에도 탄력이 붙을 전망이다.",
    "원문 출처:신화사",
]
page1 = xinhua_legacy_page("134321", 1, 2, legacy_title, "2015-06-12", ["[신화망 베이징 6월 12일] " + legacy_paras[0]] + legacy_paras[1:3])
page2 = xinhua_legacy_page("134321", 2, 2, legacy_title, "2015-06-12", legacy_paras[3:])
with open(f"{OUT}/xinhua-legacy-multipage.html", "w", encoding="utf-8") as f: f.write(page1)
with open(f"{OUT}/xinhua-legacy-multipage_2.html", "w", encoding="utf-8") as f: f.write(page2)
with open(f"{OUT}/xinhua-legacy-multipage.expected.json", "w", encoding="utf-8") as f:
    json.dump({"url": "http://kr.xinhuanet.com/2015-06/12/c_134321.htm", "site": "xinhua-ko", "title": legacy_title,
               "date": "2015-06-12", "paragraphs": legacy_paras[:-1],
               "pages": [{"file": "xinhua-legacy-multipage_2.html", "url": "http://kr.xinhuanet.com/2015-06/12/c_134321_2.htm"},
                         {"file": "xinhua-legacy-multipage.html", "url": "http://kr.xinhuanet.com/2015-06/12/c_134321.htm"}]},
              f, ensure_ascii=False, indent=2)
    f.write("\n")

# --- Xinhua, malformed HTML (unclosed p/b/span, stray end tags, bare ampersands) ----------
mal_title = "中 과학자들, 고효율 페로브스카이트 태양전지 개발"
mal_paras = [
    "중국과학원 연구진이 광전 변환 효율 26%를 넘는 페로브스카이트 태양전지를 개발했다고 과기일보가 7일 보도했다.",
    "연구진은 결정 표면의 결함을 줄이는 새로운 첨가제를 도입해 효율과 안정성을 동시에 끌어올렸다고 설명했다.",
    "이번 성과는 R&D 투자 확대에 힘입은 것으로, 연구진은 상용화를 위한 대면적 모듈 제작에 나설 계획이다.",
    "업계에서는 제조 단가가 낮은 페로브스카이트가 실리콘 전지를 보완할 차세대 기술로 주목받고 있다고 전했다.",
]
mal_html = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{mal_title}</title>
<meta property="og:title" content="{mal_title}">
<meta name="publishdate" content="2024-05-07">
</head><body>
{XINHUA_NAV}
<div class="main">
<div class="head-line"><h1>{mal_title}</h1>
<div class="header-time">2024-05-07 08:00:12</div>
<div id="detailContent">
<p>(베이징=신화사) <b>{mal_paras[0]}
<p>{mal_paras[1]}</span>
<p><span>{mal_paras[2].replace('R&D', 'R&D')}
<p>{mal_paras[3]}&nbsp;
<p>원문 출처:신화사
</div>
</div></div></div>
<div class="related"><h3>관련 기사<ul><li><a href="/20240501/{0:032x}/c.html">中 신에너지차 수출 호조</a>
</div>
{XINHUA_FOOTER}
</body>
"""
write("xinhua-malformed", mal_html, {"url": "https://kr.news.cn/20240507/5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b/c.html", "site": "xinhua-ko",
                                     "title": mal_title, "date": "2024-05-07", "paragraphs": mal_paras})

# --- People's Daily, current template --------------------------------------------------
people_current(
    "people-current", "/n3/2024/0308/c204-20145678.html",
    "中 1~2월 수출입 5.5% 증가…무역 회복세 뚜렷", "2024-03-08", "경제",
    ["중국 해관총서(세관)에 따르면 올해 1~2월 중국의 화물 무역 수출입 총액은 6조 6천100억 위안으로 전년 동기 대비 8.7% 증가했다.",
     "이 가운데 수출은 3조 7천500억 위안으로 10.3% 늘었고, 수입은 2조 8천600억 위안으로 6.7% 증가했다.",
     "해관총서 관계자는 \"대외무역이 안정 속에서 좋은 출발을 보였다\"면서 \"민영기업의 수출입이 전체의 절반 이상을 차지하며 활력을 더했다\"고 말했다.",
     "같은 기간 아세안(ASEAN)은 여전히 중국의 최대 교역 파트너 자리를 지켰다."])

# --- People's Daily, CP949 bytes, header says EUC-KR, text has CP949-only syllables -----
people_current(
    "people-cp949", "/n3/2024/0311/c206-20146001.html",
    "베이징서 한국 전통문화 ‘똠방각하’ 특별전 개막", "2024-03-11", "문화",
    ["한국 전통 생활문화를 소개하는 특별전 ‘똠방각하’가 11일 베이징 한국문화원에서 개막했다.",
     "전시는 조선 후기 마을 행정을 맡았던 관리의 생활상을 유물과 영상으로 재구성했으며, 관람객들은 ‘햏’ 같은 인터넷 신조어의 유래를 다룬 코너에도 큰 관심을 보였다.",
     "문화원 관계자는 \"양국 청년들이 서로의 언어와 문화를 더 가깝게 느끼는 계기가 되길 바란다\"고 말했다."],
    encoding="cp949", content_type="text/html; charset=euc-kr")

# --- People's Daily, legacy template (br-separated body, date in p.origin) -------------
pl_title = "시진핑 주석, 한국 대통령과 전화 통화"
pl_paras = [
    "시진핑 중국 국가주석이 12일 오후 한국 대통령과 전화 통화를 하고 양국 관계와 공동 관심사에 대해 의견을 나눴다.",
    "시 주석은 중·한 양국은 가까운 이웃이자 중요한 협력 파트너라며 각 분야의 실질 협력을 심화하자고 말했다.",
    "한국 대통령은 한국 측이 중국과 함께 전략적 협력동반자 관계를 한층 발전시켜 나가기를 희망한다고 밝혔다.",
]
pl_html = f"""<html><head>
<meta http-equiv="content-type" content="text/html;charset=UTF-8">
<title>{pl_title}--인민망 한국어판</title>
</head><body>
<div id="nav"><a href="/">홈</a> <a href="/203/index.html">정치</a> <a href="/204/index.html">경제</a></div>
<div class="clearfix w980">
<div class="text_title"><h1>{pl_title}</h1>
<p class="origin">2015년06월12일 17:42 &nbsp;&nbsp; 출처: 인민망 한국어판</p></div>
<div class="wb_1">
&nbsp;&nbsp;[인민망 한국어판 6월 12일] {pl_paras[0]}<br /><br />
&nbsp;&nbsp;{pl_paras[1]}<br /><br />
&nbsp;&nbsp;{pl_paras[2]}<br /><br />
(책임 편집: 이미연)<br />
</div>
<div class="related"><a href="/n/2015/0611/c203-1.html">中 외교부 대변인 정례 브리핑</a></div>
</div>
<div class="copyright">인민망 한국어판 Copyright © 1997-2015 by www.people.com.cn</div>
</body></html>
"""
write("people-legacy", pl_html, {"url": "http://kr.people.com.cn/n/2015/0612/c203-8905431.html", "site": "people-ko",
                                 "title": pl_title, "date": "2015-06-12", "paragraphs": pl_paras})

# --- Unknown templates: generic fallback -------------------------------------------------
blog_title = "동네 도서관이 바꾼 골목 풍경"
blog_paras = [
    "3년 전만 해도 이 골목은 해가 지면 인적이 끊기는 곳이었다. 빈 점포가 늘어나면서 주민들은 밤길을 피해 큰길로 돌아다녔다.",
    "변화는 주민 열두 명이 모여 빈 가게 한 칸을 빌리면서 시작됐다. 각자 집에서 가져온 책 300여 권으로 작은 도서관을 열었고, 저녁마다 돌아가며 문을 지켰다.",
    "아이들이 모이자 부모들이 따라왔고, 부모들이 모이자 골목에 카페와 공방이 하나둘 들어섰다. 지금은 주말마다 책 교환 장터가 열린다.",
    "도서관을 처음 제안한 김정숙 씨는 \"거창한 계획은 없었다. 불이 켜진 곳이 하나 있으면 사람이 모인다는 걸 믿었을 뿐\"이라고 말했다.",
]
blog_html = f"""<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{blog_title} | 우리동네 이야기</title>
<meta property="article:published_time" content="2024-02-20T09:00:00+09:00">
</head><body>
<header class="site-header"><a class="logo" href="/">우리동네 이야기</a>
<nav><ul><li><a href="/local">지역</a></li><li><a href="/people">사람</a></li><li><a href="/culture">문화</a></li><li><a href="/about">소개</a></li></ul></nav></header>
<div class="layout">
<main><article class="post">
<h1 class="post-title">{blog_title}</h1>
<div class="post-meta">글 박소연 · <time datetime="2024-02-20">2024년 2월 20일</time></div>
<div class="entry-content">
{paras(blog_paras)}
</div>
<div class="tags"><a href="/tag/도서관">#도서관</a> <a href="/tag/골목">#골목</a> <a href="/tag/주민">#주민</a></div>
</article></main>
<aside class="sidebar"><h3>인기 글</h3><ul>
<li><a href="/p/1">시장 골목의 마지막 대장간을 찾아서, 그리고 그곳에서 만난 사람들</a></li>
<li><a href="/p/2">버스 종점 앞 분식집 40년의 기록과 단골손님들의 추억 이야기</a></li>
<li><a href="/p/3">재개발을 앞둔 동네에서 주민들이 기록한 사진과 편지 모음</a></li></ul></aside>
</div>
<footer><p>© 2024 우리동네 이야기. 모든 글의 저작권은 글쓴이에게 있습니다.</p><p><a href="/privacy">개인정보처리방침</a> · <a href="/terms">이용약관</a></p></footer>
</body></html>
"""
write("unknown-blog", blog_html, {"url": "https://blog.example.org/2024/02/20/library-alley.html", "site": None,
                                  "title": blog_title, "date": "2024-02-20", "paragraphs": blog_paras})

board_title = "구민 체육대회 개최 안내"
board_paras = [
    "구민 여러분의 건강 증진과 화합을 위하여 제15회 구민 체육대회를 다음과 같이 개최하오니 많은 참여 바랍니다.",
    "일시는 2023년 10월 14일 토요일 오전 9시부터이며, 장소는 구민 종합운동장입니다.",
    "종목은 줄다리기, 계주, 족구, 배드민턴이며 동별로 선수단을 구성하여 참가 신청서를 9월 30일까지 제출하시기 바랍니다.",
    "기타 자세한 사항은 구청 문화체육과로 문의하시기 바랍니다.",
]
board_html = f"""<HTML><HEAD>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=utf-8">
<TITLE>{board_title} - 공지사항 - 행복구청</TITLE></HEAD>
<BODY topmargin=0 leftmargin=0>
<TABLE width=900 border=0><TR><TD colspan=2><A href="/"><IMG src="/img/logo.gif"></A> <A href="/intro">구청소개</A> | <A href="/notice">공지사항</A> | <A href="/civil">민원안내</A></TD></TR>
<TR><TD width=180 valign=top class=left>
<A href="/notice">공지사항</A><BR><A href="/news">구정소식</A><BR><A href="/event">행사안내</A><BR><A href="/recruit">채용정보</A><BR>
</TD><TD valign=top>
<TABLE width=700><TR><TD class=subject><B>{board_title}</B></TD></TR>
<TR><TD class=info>작성자: 문화체육과 | 등록일: 2023-09-01 | 조회: 1523</TD></TR>
<TR><TD class=content>
{'<BR><BR>'.join(board_paras)}
</TD></TR></TABLE>
<TABLE width=700><TR><TD><A href="/notice?id=122">이전글: 추석 연휴 쓰레기 배출 안내</A></TD></TR>
<TR><TD><A href="/notice?id=124">다음글: 독감 예방접종 일정 안내</A></TD></TR></TABLE>
</TD></TR></TABLE>
<CENTER>행복구청 | 대표전화 120 | Copyright 2023 All rights reserved.</CENTER>
</BODY></HTML>
"""
write("unknown-board", board_html, {"url": "http://www.happy-gu.example.kr/notice/view.php?id=123", "site": None,
                                    "title": board_title, "date": "2023-09-01", "paragraphs": board_paras})
print("wrote fixtures to", OUT)
