package config

// MailConfig is the SMTP server mails go out through. Without Addr
// nothing is sent: mails stay in the outbox (make run shows them).
type MailConfig struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	// SiteURL is the portal's public address, for links in mails that
	// workflows write (no request to take it from).
	SiteURL string
}
