"""slackrtm."""
