"""Real AMQP 0-9-1 client traffic for scripts/record-amqp, made with pika against RabbitMQ:
declares, a bind, publishes with every basic property and headers, a body larger than a
frame, get / get-empty, consume with deliver and ack, reject, a transaction, purge, a
channel error (passive declare of a missing queue), publisher confirms and a returned
message. Writes one JSON line per event Wirebeat should report, in order, to argv[2]:
method, status, the amqp fields the client knows, and request/response texts (as written
with send_request/send_response and max_body_length 1000)."""

import json
import sys

import pika

HOST = sys.argv[1]
TRUTH = open(sys.argv[2], "w", encoding="utf-8")
BIG = ("0123456789abcdef" * 625).encode()  # 10000 bytes: three body frames at frame-max 4096


def expect(method, status="OK", amqp=None, request=None, response=None):
    line = {"method": method, "status": status, "amqp": amqp or {}}
    if request is not None:
        line["request"] = request
    if response is not None:
        line["response"] = response
    TRUTH.write(json.dumps(line) + "\n")


params = pika.ConnectionParameters(
    host=HOST, credentials=pika.PlainCredentials("guest", "guest"), heartbeat=0, frame_max=4096,
    client_properties={"connection_name": "wb-recorder"})
conn = pika.BlockingConnection(params)
ch = conn.channel()

ch.exchange_declare("wb.events", exchange_type="topic", durable=True)
expect("exchange.declare", amqp={"exchange": "wb.events", "exchange-type": "topic", "durable": True,
                                 "passive": False, "no-wait": False},
       request="exchange.declare wb.events", response="OK")
ok = ch.queue_declare("wb.tasks", durable=True, arguments={"x-max-length": 100})
expect("queue.declare", amqp={"queue": "wb.tasks", "durable": True, "exclusive": False,
                              "auto-delete": False, "arguments": {"x-max-length": 100},
                              "message-count": ok.method.message_count},
       request="queue.declare wb.tasks", response="OK")
ch.queue_bind("wb.tasks", "wb.events", routing_key="task.*")
expect("queue.bind", amqp={"queue": "wb.tasks", "exchange": "wb.events", "routing-key": "task.*"},
       request="queue.bind wb.tasks wb.events", response="OK")

props = pika.BasicProperties(
    content_type="text/plain", headers={"x-origin": "recorder", "attempt": 1}, delivery_mode=2,
    priority=5, correlation_id="c-1", reply_to="wb.replies", expiration="60000", message_id="m-1",
    timestamp=1700000000, type="task", user_id="guest", app_id="wb-recorder")
ch.basic_publish("wb.events", "task.new", b"first task", props)
expect("basic.publish", amqp={"exchange": "wb.events", "routing-key": "task.new", "mandatory": False,
                              "content-type": "text/plain", "delivery-mode": "persistent",
                              "priority": 5, "correlation-id": "c-1", "reply-to": "wb.replies",
                              "expiration": "60000", "message-id": "m-1",
                              "timestamp": "November 14 22:13:20 2023", "type": "task",
                              "user-id": "guest", "app-id": "wb-recorder",
                              "headers": {"x-origin": "recorder", "attempt": 1}},
       request="first task", response="")

method, _, body = ch.basic_get("wb.tasks", auto_ack=False)
expect("basic.get", amqp={"queue": "wb.tasks", "no-ack": False, "exchange": "wb.events",
                          "routing-key": "task.new", "delivery-tag": method.delivery_tag,
                          "redelivered": False, "message-count": method.message_count,
                          "user-id": "guest", "app-id": "wb-recorder"},
       request="basic.get wb.tasks", response=body.decode())
ch.basic_ack(method.delivery_tag)
expect("basic.ack", amqp={"delivery-tag": method.delivery_tag, "multiple": False})

ch.basic_publish("", "wb.tasks", BIG, pika.BasicProperties(content_type="text/plain"))
expect("basic.publish", amqp={"routing-key": "wb.tasks", "content-type": "text/plain"},
       request=BIG[:1000].decode() + " [...]")
got = []


def on_message(chan, deliver, _props, body):
    got.append(len(body))
    expect("basic.deliver", amqp={"consumer-tag": "wb-consumer", "delivery-tag": deliver.delivery_tag,
                                  "routing-key": "wb.tasks", "redelivered": False},
           response=body[:1000].decode() + " [...]")
    chan.basic_ack(deliver.delivery_tag)
    expect("basic.ack", amqp={"delivery-tag": deliver.delivery_tag, "multiple": False})


ch.basic_consume("wb.tasks", on_message, consumer_tag="wb-consumer")
expect("basic.consume", amqp={"queue": "wb.tasks", "consumer-tag": "wb-consumer", "no-ack": False,
                              "exclusive": False, "no-local": False},
       request="basic.consume wb.tasks", response="OK")
for _ in range(50):
    if got:
        break
    conn.process_data_events(time_limit=0.1)
assert got == [len(BIG)], got
ch.basic_cancel("wb-consumer")
expect("basic.cancel", amqp={"consumer-tag": "wb-consumer"}, request="basic.cancel wb-consumer",
       response="OK")

method, _, _ = ch.basic_get("wb.tasks")
assert method is None
expect("basic.get-empty", amqp={"queue": "wb.tasks"}, request="basic.get wb.tasks", response="OK")

ch.basic_publish("", "wb.tasks", b"reject me", pika.BasicProperties(content_type="text/plain"))
expect("basic.publish", amqp={"routing-key": "wb.tasks"}, request="reject me")
method, _, _ = ch.basic_get("wb.tasks")
expect("basic.get", amqp={"queue": "wb.tasks", "delivery-tag": method.delivery_tag},
       request="basic.get wb.tasks", response="reject me")
ch.basic_reject(method.delivery_tag, requeue=False)
expect("basic.reject", status="Error", amqp={"delivery-tag": method.delivery_tag},
       request="basic.reject %d" % method.delivery_tag)

ch.tx_select()
expect("tx.select", request="tx.select", response="OK")
ch.basic_publish("", "wb.tasks", b"in a transaction", pika.BasicProperties(content_type="text/plain"))
expect("basic.publish", amqp={"routing-key": "wb.tasks"}, request="in a transaction")
ch.tx_commit()
expect("tx.commit", request="tx.commit", response="OK")

purged = ch.queue_purge("wb.tasks")
expect("queue.purge", amqp={"queue": "wb.tasks", "message-count": purged.method.message_count},
       request="queue.purge wb.tasks", response="OK")

try:
    ch.queue_declare("wb.missing", passive=True)
    raise SystemExit("passive declare of a missing queue succeeded")
except pika.exceptions.ChannelClosedByBroker as err:
    expect("channel.close", status="Error",
           amqp={"reply-code": err.reply_code, "reply-text": err.reply_text, "class-id": 50,
                 "method-id": 10},
           request="channel.close", response="OK")

ch2 = conn.channel()
ch2.confirm_delivery()
expect("confirm.select", amqp={"no-wait": False}, request="confirm.select", response="OK")
ch2.basic_publish("", "wb.tasks", b"confirmed", pika.BasicProperties(content_type="text/plain"))
expect("basic.publish", amqp={"routing-key": "wb.tasks"}, request="confirmed")
expect("basic.ack", amqp={"delivery-tag": 1, "multiple": False})
try:
    ch2.basic_publish("", "wb.nowhere", b"lost", pika.BasicProperties(content_type="text/plain"),
                      mandatory=True)
    raise SystemExit("unroutable mandatory publish was not returned")
except pika.exceptions.UnroutableError:
    pass
expect("basic.publish", amqp={"routing-key": "wb.nowhere", "mandatory": True}, request="lost")
expect("basic.return", status="Error",
       amqp={"reply-code": 312, "reply-text": "NO_ROUTE", "routing-key": "wb.nowhere"},
       response="lost")
expect("basic.ack", amqp={"delivery-tag": 2, "multiple": False})

ch2.queue_delete("wb.tasks")
expect("queue.delete", amqp={"queue": "wb.tasks", "if-unused": False, "if-empty": False},
       request="queue.delete wb.tasks", response="OK")
ch2.exchange_delete("wb.events")
expect("exchange.delete", amqp={"exchange": "wb.events", "if-unused": False},
       request="exchange.delete wb.events", response="OK")
conn.close()
TRUTH.close()
