package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
)

type webhooksPage struct {
	Licence    platform.Licence
	Hooks      []platform.Webhook
	Deliveries []platform.ListWebhookDeliveriesRow
	URLs       map[string]string // webhook id → address, for the deliveries
	NewSecret  string
	URL        string
	Errors     fault.FieldErrors
}

// Events lists what a webhook receives, for the page.
func (webhooksPage) Events() [][2]string {
	return [][2]string{
		{"dossier.phase_changed", "een dossier gaat naar een volgende fase (of wordt afgesloten)"},
		{"consent.decided", "de ouders (of de leerling) hebben ingestemd met het handelingsdeel, of niet"},
		{"request.decided", "het samenwerkingsverband heeft op een aanvraag besloten"},
		{"decision.signed", "een besluit is ondertekend (samenwerkingsverband)"},
		{"pupil.left", "een leerling is uitgeschreven (school)"},
	}
}

func (s *Server) renderWebhooks(c *gin.Context, status int, page webhooksPage) error {
	var err error
	if page.Licence, _, err = s.licences.APITokens(c, page.Licence.ID); err != nil {
		return err
	}
	if page.Hooks, page.Deliveries, err = s.webhooks.List(c, page.Licence.ID); err != nil {
		return err
	}
	page.URLs = map[string]string{}
	for _, h := range page.Hooks {
		page.URLs[h.ID.String()] = h.Url
	}
	s.render(c, status, "webhooks", page)
	return nil
}

func (s *Server) handleWebhooks(c *gin.Context) error {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	return s.renderWebhooks(c, http.StatusOK, webhooksPage{Licence: platform.Licence{ID: id}})
}

// handleWebhookCreate registers an address and shows its secret once.
func (s *Server) handleWebhookCreate(c *gin.Context) error {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	secret, err := s.webhooks.Create(c, actorOf(c), id, c.PostForm("url"))
	if fields, ok := asFieldErrors(err); ok {
		return s.renderWebhooks(c, http.StatusUnprocessableEntity, webhooksPage{Licence: platform.Licence{ID: id},
			URL: strings.TrimSpace(c.PostForm("url")), Errors: fields})
	}
	if err != nil {
		return err
	}
	return s.renderWebhooks(c, http.StatusOK, webhooksPage{Licence: platform.Licence{ID: id}, NewSecret: secret})
}

func (s *Server) handleWebhookRemove(c *gin.Context) error {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	hook, err := uuidParam(c, "webhook")
	if err != nil {
		return err
	}
	if err := s.webhooks.Remove(c, id, hook); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/licenties/"+id.String()+"/webhooks")
	return nil
}
