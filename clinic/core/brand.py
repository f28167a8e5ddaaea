"""The clinic's name as patients read it, written one way everywhere: page titles, the wordmark, e-mails' sender,
calendar files and what search engines are told (templates/base.html and templates/_logo.html say it in HTML)."""

NAME = "Needle & Move"
