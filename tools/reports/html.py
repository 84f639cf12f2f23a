"""The weekly report as one self-contained HTML file (charts embedded as base64 PNG)."""

from __future__ import annotations

import base64
import html

from tools.reports.charts import CHARTS
from tools.reports.markdown import ReportData, describe, number, safe_link

STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#212529;max-width:820px;margin:32px auto;padding:0 16px;line-height:1.5}
h1{font-size:26px;margin-bottom:0}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #e9ecef;padding-bottom:4px}
.period{color:#868e96;margin-top:4px}.headline{font-size:20px;font-weight:600;margin:20px 0 8px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}.card{flex:1;min-width:140px;background:#f8f9fa;border-radius:8px;padding:12px}
.card b{display:block;font-size:22px}.card span{color:#868e96;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{padding:6px 8px;border-bottom:1px solid #e9ecef;text-align:left}
td.n{text-align:right}img{max-width:100%;margin:8px 0}.up{color:#12b886}.down{color:#e64980}
"""


def _change(now: float, before: float | None) -> str:
    if not before:
        return ""
    pct = (now / before - 1) * 100
    return f' <em class="{"up" if pct >= 0 else "down"}">{pct:+.0f}%</em>'


def _link(link: str | None) -> str:
    safe = safe_link(link)
    if safe is None:
        return ""
    shown = safe.split("://", 1)[1][:60]
    return (
        f'<a href="{html.escape(safe)}" rel="noopener noreferrer nofollow">{html.escape(shown)}</a>'
    )


def render_html(data: ReportData, charts: dict[str, bytes]) -> str:
    """A single HTML page: numbers, charts, insights and the strategy change.

    Args:
        data: The report's numbers and texts.
        charts: PNG bytes by chart name (from :func:`tools.reports.charts.render_charts`).
    """
    e = html.escape
    prev = data.previous_totals or {}
    cards = "".join(
        f'<div class="card"><b>{number(data.totals.get(k, 0))}{_change(data.totals.get(k, 0), prev.get(k))}</b><span>{label}</span></div>'
        for k, label in (
            ("views", "views"),
            ("interactions", "interactions"),
            ("followers_delta", "new followers"),
        )
    )
    rate = data.totals.get("engagement_rate", 0.0)
    cards += f'<div class="card"><b>{rate:.2%}</b><span>engagement rate</span></div>'
    images = {name: base64.b64encode(png).decode() for name, png in charts.items()}

    def img(name: str) -> str:
        return (
            f'<img alt="{e(CHARTS[name][0])}" src="data:image/png;base64,{images[name]}">'
            if name in images
            else ""
        )

    rows = "".join(
        f"<tr><td>{i}</td><td>{e(p['title'])}</td><td>{e(p['platform'])}</td><td class='n'>{p['views']:,}</td>"
        f"<td class='n'>{p['score']:.2f}</td></tr>"
        for i, p in enumerate(data.top_posts, 1)
    )
    changes = "".join(
        f"<li><b>{e(k.replace('_', ' '))}</b>: {e(describe(v))}</li>"
        for k, v in data.strategy_changes.items()
    )
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Weekly report {e(data.week)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Weekly report — {e(data.agent)}</h1><div class='period'>{e(data.week)} · {e(data.period)}</div>",
        f"<div class='headline'>{e(data.headline)}</div><div class='cards'>{cards}</div>",
        "<ul>" + "".join(f"<li>{e(i)}</li>" for i in data.insights) + "</ul>",
        f"<p><b>Next experiment:</b> {e(data.next_experiment)}</p>",
        "<h2>Views and engagement</h2>",
        img("views_by_day"),
        img("engagement_by_platform"),
        "<h2>Week over week</h2>",
        img("week_over_week"),
        "<h2>Top posts</h2>",
        img("top_posts"),
        f"<table><tr><th>#</th><th>title</th><th>platform</th><th>views</th><th>score</th></tr>{rows}</table>",
        "<h2>What moved engagement</h2><p>Score 1.0 = the platform's average; bars are 90% intervals.</p>",
        img("lifts"),
    ]
    if data.per_campaign:
        campaign_rows = "".join(
            f"<tr><td>{e(name)}</td><td class='n'>{r['posts']:.0f}</td><td class='n'>{r['views']:,.0f}</td>"
            f"<td class='n'>{r['interactions']:,.0f}</td><td class='n'>{r['engagement_rate']:.2%}</td></tr>"
            for name, r in data.per_campaign.items()
        )
        parts += [
            "<h2>By campaign</h2>",
            "<table><tr><th>campaign</th><th>posts</th><th>views</th><th>interactions</th>"
            f"<th>engagement rate</th></tr>{campaign_rows}</table>",
        ]
    if data.trends:
        trend_rows = "".join(
            f"<tr><td>{i}</td><td>{e(t.topic)}{' <b>spike</b>' if t.spike else ''}</td>"
            f"<td>{e(t.source)}</td><td class='n'>{t.score:.2f}</td><td>{_link(t.link)}</td></tr>"
            for i, t in enumerate(data.trends, 1)
        )
        parts += [
            "<h2>Trends and news we watched</h2>",
            f"<table><tr><th>#</th><th>topic</th><th>source</th><th>score</th><th>link</th></tr>{trend_rows}</table>",
        ]
    if data.strategy_summary or changes:
        parts += [
            "<h2>What the strategy changed, and why</h2>",
            f"<p>{e(data.strategy_summary)}</p>",
            f"<ul>{changes}</ul>",
        ]
    if data.pending_posts:
        parts.append(
            f"<p><em>{data.pending_posts} posts are younger than the maturity window and not counted yet.</em></p>"
        )
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)
