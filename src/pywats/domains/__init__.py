"""API domains. Each domain is written once (see :mod:`pywats.domains._base`) and served by
both ``pyWATS`` and ``AsyncWATS``. Domains are imported lazily, on first attribute access.

:data:`DOMAINS` maps the client attribute name to ``"module:Class"``; add one line here to
register a new domain.
"""

from __future__ import annotations

__all__ = ["DOMAINS"]

DOMAINS: dict[str, str] = {
    "app": "pywats.domains.app:AppDomain",
    "process": "pywats.domains.process:ProcessDomain",
    "report": "pywats.domains.report:ReportDomain",
    "software": "pywats.domains.software:SoftwareDomain",
    "analytics": "pywats.domains.analytics:AnalyticsDomain",
    "rootcause": "pywats.domains.rootcause:RootCauseDomain",
    "product": "pywats.domains.product:ProductDomain",
    "production": "pywats.domains.production:ProductionDomain",
    "asset": "pywats.domains.asset:AssetDomain",
    "scim": "pywats.domains.scim:ScimDomain",
    "system": "pywats.domains.system:SystemDomain",
    "auth": "pywats.domains.auth:AuthDomain",
    "workflow": "pywats.domains.workflow:WorkflowDomain",
    "export": "pywats.domains.export:ExportDomain",
    "barcode": "pywats.domains.barcode:BarcodeDomain",
}
