"""The fixture portals that the generic list walker alone (`NIANBAO_DIALECTS=false`) cannot page to the
end, and why; their dialects do. Tests mark them strict xfail, so the day the walker can, they say so."""

from __future__ import annotations

WALKER_ALONE_CANNOT = {
    "F2": "Hanweb JCMS: rows sit in a <script type=text/xml> datastore, later pages only come from POSTs to "
          "dataproxy.jsp that the jpage() library (not on the page) builds; the HTML shows neither rows nor pager",
    "F3": "gkmlpt: the page is a script shell whose list API (/gkmlpt/api/all/…) only the gkmlpt app's own "
          "script, not on the page, knows",
    "F11": "大汉 JPaaS: the rows come from paramJson={\"pageNo\":N} requests that only unitbuild.js (not on the "
           "page) builds, from attributes of its <script> tag; a bare pageNo is ignored by the gateway",
}
