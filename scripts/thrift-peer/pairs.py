"""The (port, protocol, transport, strict binary) pairs scripts/record-thrift records."""
PAIRS = [
    (9090, "binary", "buffered", True),
    (9091, "binary", "framed", True),
    (9092, "compact", "framed", True),
    (9093, "binary", "buffered", False),
]

from thriftpy2.protocol import TBinaryProtocolFactory, TCompactProtocolFactory
from thriftpy2.transport import TBufferedTransportFactory, TFramedTransportFactory


def factories(protocol, transport, strict):
    """thriftpy2's protocol and transport factories for one pair."""
    proto = (
        TCompactProtocolFactory()
        if protocol == "compact"
        else TBinaryProtocolFactory(strict_read=strict, strict_write=strict)
    )
    trans = TFramedTransportFactory() if transport == "framed" else TBufferedTransportFactory()
    return proto, trans
