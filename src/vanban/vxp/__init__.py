"""The national hub's protocol (VXP/VDXP, the VNPT SDK), pure Python: no Django.

`signing` (XroadVnpt-* headers, HMAC-SHA256), `envelope` (status/ErrorCode/ErrorDesc/data),
`client.VxpClient` (the SDK operations, plus HubClient's submit/inbox/fetch/ack so the office
exchange can use it unchanged), `agencies` (directory entries), `conf` (settings). How the
canonical string was confirmed: docs/vxp.md.
"""

from __future__ import annotations

from vanban.vxp.envelope import Envelope, VxpError
from vanban.vxp.signing import SignatureError, sign_headers, verify_headers

__all__ = ["Envelope", "SignatureError", "VxpError", "sign_headers", "verify_headers"]
