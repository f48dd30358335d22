"""营商环境工作联络员台账 — offline checklist for the liaisons of a business-environment plan."""

import os

# openpyxl parses with lxml whenever lxml is installed (python-docx brings it in), which bypasses
# defusedxml: keep openpyxl on the defusedxml parser that the workbook readers' safety checks
# (entity-expansion attacks refused) rely on. Set before anything imports openpyxl.
os.environ["OPENPYXL_LXML"] = "False"

# The one place the version is defined: pyproject.toml, the window title, 关于 and every exported
# report read it from here.
__version__ = "0.1.0"

APP_NAME = "liaison-app"
APP_TITLE = "营商环境工作联络员台账"
