"""Every map builder, web and print.

``deck``
    deck.gl (pydeck) building blocks: the view framing an area, a polygon layer, and a deck
    serialised once, compactly.
``display``
    Display geometry for web maps: coverage-simplified, rounded, in EPSG:4326.
``fonts``
    A real CJK font for matplotlib: static maps never draw tofu boxes.
``grids``
    The deck.gl map of the 网格治理 page: unit grids by compliance, and their defects.
``joint``
    The map of joint village Party organisations (跨村联建), drawn with folium.
``leaflet``
    An offline folium (Leaflet) base map and the basemaps a deployment may choose.
``marks``
    Red/yellow/green target marks drawn as the outline colour of each area.
``national``
    The national overview map: provinces or counties as areas, coloured by a figure.
``overview``
    The overview's deck.gl map: villages coloured by a figure, organisations outlined with
    their lead villages marked, optional unit grids and sites.
``planning``
    Maps of the 分组规划 page: the villages to click, and a scenario drawn over them.
``print_marks``
    Red/yellow/green target marks on a print map (the 排名 slide of 导出 PPT).
``print_layout``
    The page of a printed map: A4 figure, title, legend, scale bar, north arrow, footer
    (data source, date, 示例数据) and saving at print resolution.
``static``
    Static (print) maps with matplotlib: overview, income, joint organisations, grid
    compliance and service coverage, on an A4 page with title, legend, scale bar, north
    arrow, data source, date and the 示例数据 badge on the demo.
``styles``
    Map styles shared by web and print maps: colour ramps and categories, classification
    schemes, legends.
``walk``
    The walking catchment maps (服务阵地): road reached or not, units reached or not, sites
    and suggested sites, as a deck.gl map.
``walk_print``
    The walking catchment cut to an area for the print map (no web-map library).

Builders *return* a ``pydeck.Deck``, a ``folium.Map`` or a matplotlib figure and
never import streamlit.  Imports ``analysis``, ``geo`` and ``texts``; with ``ui``
(which hands the maps to Streamlit) the only package that imports folium, pydeck
or matplotlib.
"""
