"""The Streamlit boundary: cached resources, widgets and page sections, session state,
warm-up.

``admin_sections``
    The sections of the 账号与日志 page: accounts and the audit log.
``auth``
    Login, logout, the session's account, and the checks of SPEC §7 at the Streamlit
    boundary (:func:`ui.auth.refused`, :func:`ui.auth.audit`).
``briefing``
    The briefing screen (汇报模式): its CSS per theme and its big-number panels.
``cached``
    Cached, read-only resources for the pages (the Streamlit boundary of geo/).
``cached_grids``
    Cached resources of the 网格治理 page, keyed by the dataset's :class:`ui.cached.Source`.
``cached_joint``
    Cached resources of the 跨村联建 page (the Streamlit boundary for analysis.orgs and
    maps.joint).
``cached_planning``
    Cached resources of the 分组规划 page (the Streamlit boundary for scenarios).
``cached_walk``
    Cached resources of the 服务阵地 page: the walking catchment and its map, the candidates'
    reach and 选址建议, keyed by the dataset's version, the minutes and the area.
``cached_report``
    Cached report exports of the 报告导出 page, keyed by the dataset's :class:`ui.cached.Source`
    and the options chosen (never by frames).
``data_sections``
    The sections of the 数据管理 page: the dataset in use and its versions, an upload checked
    before anything changes, templates and the guide.
``frame``
    Small Streamlit render helpers shared by the pages (cards, errors, picks).
``joint_charts``
    Charts and display tables of the 跨村联建 page (Vega-Lite through Altair, drawn by
    Streamlit's bundled vega-embed: nothing is fetched).
``national``
    The national overview of a partitioned dataset (issue 18): the engine's figures, provinces
    or counties on the map; choosing a province loads its partitions.
``planning_compare``
    Two plans side by side (maps, figures, moved villages, downloads) for 方案对比,
    方案审核 and a save refused as stale.
``planning_sections``
    The sections of the 分组规划 page: edit, suggest, save/load/import/export, compare.
``planning_state``
    The planner's working scenario in ``st.session_state``: history, group being edited,
    edits.
``rankings``
    Rankings and target marks for the pages (排名, and the overview map's outlines).
``review_sections``
    Owners, status and review of saved scenarios on the 分组规划 page.
``sequence``
    The editor of briefing sequences (汇报序列 page): add the current view, reorder, remove,
    rename, delete, play, export the slides.
``slides``
    A briefing sequence played full screen in 汇报模式: 上一页/下一页, the keys ← →, a click,
    auto-advance.
``walk_sections``
    The sections of the 服务阵地 page: minutes, the disc and walking figures, the catchment map,
    选址建议 and the kept what-if list.
``warmup``
    Preparing the other pages in the background once the first page is on screen.
``years``
    The year slider, the date of the data said beside the figures, and the briefing's
    playback (SPEC §3 "As of a year").

With ``pages/`` and ``dashboard.py`` the only package that imports streamlit.  May
import every package of ours except ``cli``.
"""
