"""/metrics: Prometheus' text format, the figures moving during a consultation, and the access
rule (configured networks, or the token)."""
from __future__ import annotations

import json
import re
from ipaddress import ip_network
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from server.app import init_app
from server.config import ConfigError, Settings
from server.metrics.instruments import Metrics
from server.metrics.state import Snapshot, StateCollector
from server.web.metrics import allowed
from tests.processes import RedisProcess
from tests.sockets import kiosk, lawyer_on_duty
from tests.support import Api, settings_for, start_client

TODAY = "2026-11-30"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
TOKEN = "metrics-token-for-the-test-0123456789"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value}; parsing fails the test on anything malformed."""
    out = {}
    for family in text_string_to_metric_families(text):
        assert family.documentation, f"{family.name} has no help text"
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def scrape(api: Api) -> dict:
    status, body = await api.get("/metrics")
    assert status == 200, body
    return samples(body)


@pytest.fixture
async def base(client) -> str:  # type: ignore[no-untyped-def]
    return str(client.make_url("")).rstrip("/")


async def test_queue_and_live_figures_move_during_a_consultation(base, new_api, demo, peers, clock) -> None:
    center, scraper = new_api(), new_api()
    await center.login("center")
    before = await scrape(scraper)
    assert before[("fayuan_consultations_live", ())] == 0
    assert before[("fayuan_lawyers_on_duty", ())] == 0
    assert before[("fayuan_service_open", ())] == 1  # Monday 10:00
    assert before[("fayuan_database_up", ())] == 1
    empty = {dict(labels)["unit"]: value for (name, labels), value in before.items() if name == "fayuan_queue_length"}
    assert "CENTER" in empty and set(empty.values()) == {0}

    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers += [lawyer, k]
    started = await k.call("consultation.start", {"category": "wages_labour", "text": "老板欠薪"})
    cid = started["consultation"]["id"]
    clock.advance(seconds=95)

    waiting = await scrape(scraper)
    queues = {dict(labels)["unit"]: value for (name, labels), value in waiting.items()
              if name == "fayuan_queue_length"}
    assert sorted(queues.values()) == [0] * (len(queues) - 1) + [1] and queues.keys() == empty.keys()
    unit = next(code for code, length in queues.items() if length == 1)
    assert waiting[("fayuan_queue_oldest_wait_seconds", (("unit", unit),))] == 95
    assert waiting[("fayuan_lawyers_on_duty", ())] == 1
    assert waiting[("fayuan_sockets_connected", (("kind", "device"),))] == 1
    assert waiting[("fayuan_sockets_connected", (("kind", "account"),))] == 1
    assert waiting[("fayuan_socket_events_total", (("event", "consultation.start"), ("outcome", "ok")))] == 1

    took = await lawyer.call("queue.take", {})
    assert took["consultation"]["id"] == cid
    live = await scrape(scraper)
    assert live[("fayuan_consultations_live", ())] == 1
    assert live[("fayuan_queue_length", (("unit", unit),))] == 0
    assert live[("fayuan_queue_oldest_wait_seconds", (("unit", unit),))] == 0

    # rtc.signal goes past python-socketio's dispatch (relay.py) and is still counted, once a signal
    assert (await k.call("rtc.signal", {"consultation_id": cid, "type": "offer", "sdp": "v=0"})) == {"ok": True}
    assert (await k.call("rtc.signal", {"consultation_id": cid, "type": "bye"}))["error"]["code"] == "invalid"
    signalled = await scrape(scraper)
    assert signalled[("fayuan_socket_events_total", (("event", "rtc.signal"), ("outcome", "ok")))] == 1
    assert signalled[("fayuan_socket_events_total", (("event", "rtc.signal"), ("outcome", "invalid")))] == 1

    sent = await k.call("chat.send", {"room": f"consultation:{cid}", "client_id": "m1", "text": "您好"})
    assert sent["message"]["seq"] == 1
    uploader = new_api()
    uploader.bearer = demo["kiosks"][0]["token"]
    status, stored = await uploader.post(f"/api/files?parent_kind=consultation&parent_id={cid}", data=PDF,
                                         headers={"X-Filename": "evidence.pdf",
                                                  "Content-Type": "application/octet-stream"})
    assert status == 201, stored
    await lawyer.call("consultation.hangup", {"consultation_id": cid})
    status, _ = await center.get(f"/api/consultations/{cid}")
    assert status == 200
    after = await scrape(scraper)
    assert after[("fayuan_consultations_live", ())] == 0
    # by route template and status, never the path itself
    assert after[("fayuan_http_requests_total", (("method", "GET"), ("route", "/api/consultations/{consultation_id}"),
                                                 ("status", "200")))] == 1
    assert after[("fayuan_socket_events_total", (("event", "consultation.hangup"), ("outcome", "ok")))] == 1
    assert not [key for key in after if f"/api/consultations/{cid}" in str(key)]
    assert after[("fayuan_chat_batches_total", ())] >= 1
    assert after[("fayuan_chat_batch_messages_count", ())] == after[("fayuan_chat_batches_total", ())]
    assert after[("fayuan_chat_backlog_messages", ())] == 0
    assert after[("fayuan_uploads_total", (("type", "pdf"),))] == 1
    assert after[("fayuan_upload_bytes_total", (("type", "pdf"),))] == stored["size_bytes"]
    assert after[("fayuan_scanner_results_total", (("result", "clean"),))] == 1


async def test_unknown_events_and_errors_are_counted_by_bounded_labels(base, api, demo, peers) -> None:
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers.append(k)
    assert (await k.call("no.such.event-123", {}))["error"]["code"] == "unknown_event"
    assert (await k.call("consultation.start", {"category": 5}))["error"]["code"] == "invalid"
    status, _ = await api.get("/no/such/page/4711")
    assert status == 404
    got = await scrape(api)
    assert got[("fayuan_socket_events_total", (("event", "unknown"), ("outcome", "unknown_event")))] == 1
    assert got[("fayuan_socket_events_total", (("event", "consultation.start"), ("outcome", "invalid")))] == 1
    assert got[("fayuan_http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))] == 1
    assert not [key for key in got if "4711" in str(key) or "no.such" in str(key)]


async def test_refused_without_the_token_from_other_addresses(db_url, tmp_path, clock, demo) -> None:
    settings = settings_for(db_url, tmp_path, metrics_allow=(ip_network("10.0.0.0/8"),), metrics_token=TOKEN)
    client = await start_client(init_app(settings, clock=clock, run_sweeper=False))
    api = Api(str(client.make_url("")))
    try:
        status, body = await api.get("/metrics")
        assert status == 403 and body["error"]["code"] == "forbidden"
        status, _ = await api.get("/metrics", headers={"Authorization": "Bearer wrong-" + TOKEN})
        assert status == 403
        status, body = await api.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert status == 200 and "fayuan_consultations_live 0.0" in body
    finally:
        await api.close()
        await client.close()


async def test_a_proxied_scrape_needs_the_token(client, api) -> None:  # type: ignore[no-untyped-def]
    # the test server's peer is 127.0.0.1, allowed by default: unless a proxy forwarded the request
    assert (await api.get("/metrics"))[0] == 200
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        status, body = await api.get("/metrics", headers={header: "203.0.113.9"})
        assert status == 403 and body["error"]["code"] == "forbidden", header


def test_allowed_networks_and_token() -> None:
    settings = Settings.from_env({"FAYUAN_METRICS_ALLOW": "10.1.0.0/16, ::1", "FAYUAN_METRICS_TOKEN": TOKEN})
    assert allowed(settings, "10.1.2.3", "")
    assert allowed(settings, "::ffff:10.1.2.3", "")
    assert allowed(settings, "::1", "")
    assert not allowed(settings, "127.0.0.1", "")
    assert not allowed(settings, "10.2.0.1", "Bearer nope")
    assert allowed(settings, "10.2.0.1", f"Bearer {TOKEN}")
    assert not allowed(settings, None, "")
    assert not allowed(settings, "::1", "", proxied=True)  # a proxy on this host forwards anyone
    assert allowed(settings, "::1", f"Bearer {TOKEN}", proxied=True)
    default = Settings.from_env({})
    assert allowed(default, "127.0.0.1", "") and not allowed(default, "192.168.1.5", f"Bearer {TOKEN}")


@pytest.mark.parametrize("env, variable", [
    ({"FAYUAN_METRICS_ALLOW": "10.0.0.0/33"}, "FAYUAN_METRICS_ALLOW"),
    ({"FAYUAN_METRICS_TOKEN": "short"}, "FAYUAN_METRICS_TOKEN"),
    ({"FAYUAN_LOG_FORMAT": "xml"}, "FAYUAN_LOG_FORMAT"),
])
def test_bad_operations_settings_name_their_variable(env: dict, variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert caught.value.variable == variable


def test_alert_rules_and_dashboard_use_only_metrics_we_export() -> None:
    metrics = Metrics()
    collector = StateCollector()
    collector.snapshot = Snapshot(queues=[("CENTER", 1, 1.0)], redis_up=True)
    metrics.registry.register(collector)
    exported = set()
    for family in metrics.registry.collect():
        exported |= {family.name + suffix for suffix in ("", "_total", "_bucket", "_sum", "_count")}
    rules = yaml.safe_load((DEPLOY / "prometheus" / "fayuan-alerts.yml").read_text())["groups"][0]["rules"]
    alerts = {rule["alert"] for rule in rules}
    assert {"FayuanResidentWaitingNobodyOnDuty", "FayuanHttp5xxRate", "FayuanRedisDown",
            "FayuanChatBacklogGrowing"} <= alerts
    assert all(rule["annotations"]["summary"] and rule["expr"] for rule in rules)
    dashboard = json.loads((DEPLOY / "grafana" / "fayuan-dashboard.json").read_text())
    queries = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    used = set()
    for expr in [rule["expr"] for rule in rules] + queries:
        used |= set(re.findall(r"fayuan_[a-z_]+", expr))
    assert used and not used - exported, sorted(used - exported)
    # every instrument shows on the dashboard
    assert not {f.name for f in metrics.registry.collect()} - {re.sub("_(total|bucket)$", "", u) for u in used}


async def test_redis_health_follows_redis(db_url, tmp_path, clock, demo) -> None:
    redis = RedisProcess(tmp_path / "redis").start()
    client = await start_client(init_app(settings_for(db_url, tmp_path, redis_url=redis.url), clock=clock,
                                         run_sweeper=False))
    api = Api(str(client.make_url("")))
    try:
        got = await scrape(api)
        assert got[("fayuan_redis_up", ())] == 1 and got[("fayuan_database_up", ())] == 1
        redis.stop()
        assert (await scrape(api))[("fayuan_redis_up", ())] == 0
    finally:
        redis.stop()
        await api.close()
        await client.close()
