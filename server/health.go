package server

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// handleHealthz answers while the process runs.
func (s *Server) handleHealthz(c *gin.Context) {
	c.String(http.StatusOK, "ok\n")
}

// handleReadyz answers 200 only when PostgreSQL and Temporal answer, so a
// load balancer sends no traffic to an instance that cannot serve it.
func (s *Server) handleReadyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c, 3*time.Second)
	defer cancel()
	if err := s.cfg.Ready(ctx); err != nil {
		s.logger.Warn("not ready", "err", err)
		c.String(http.StatusServiceUnavailable, "niet gereed\n")
		return
	}
	c.String(http.StatusOK, "gereed\n")
}
