# Cloudflare Tunnel variant (use_tunnel = true): cloudflared in the cluster
# (k8s/overlays/tunnel) dials out to Cloudflare; routes are managed here, remotely.
resource "random_id" "tunnel_secret" {
  count       = var.use_tunnel ? 1 : 0
  byte_length = 32
}

resource "cloudflare_zero_trust_tunnel_cloudflared" "agent_hub" {
  count      = var.use_tunnel ? 1 : 0
  account_id = local.account_id
  name       = "agent-hub"
  secret     = random_id.tunnel_secret[0].b64_std
  config_src = "cloudflare"
}

resource "cloudflare_zero_trust_tunnel_cloudflared_config" "agent_hub" {
  count      = var.use_tunnel ? 1 : 0
  account_id = local.account_id
  tunnel_id  = cloudflare_zero_trust_tunnel_cloudflared.agent_hub[0].id

  config {
    # Same split as the Ingress: /api, /auth (and /api/v1/ws) and /mcp to the API, the rest to the UI.
    ingress_rule {
      hostname = var.hostname
      path     = "^/((api|auth)(/|$)|mcp$)"
      service  = "http://agent-hub-api.${var.tunnel_namespace}.svc.cluster.local:8000"
    }

    ingress_rule {
      hostname = var.hostname
      service  = "http://agent-hub-ui.${var.tunnel_namespace}.svc.cluster.local:3000"
    }

    ingress_rule {
      service = "http_status:404"
    }
  }
}

resource "cloudflare_record" "tunnel" {
  count   = var.use_tunnel ? 1 : 0
  zone_id = local.zone_id
  name    = var.hostname
  type    = "CNAME"
  content = cloudflare_zero_trust_tunnel_cloudflared.agent_hub[0].cname
  proxied = true
  ttl     = 1
  comment = "Agent Hub via Cloudflare Tunnel (managed by deploy/cloudflare)"
}
