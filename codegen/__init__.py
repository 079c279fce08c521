"""The code generator: schema/ -> slackrtm/_generated/. Development-time only."""
