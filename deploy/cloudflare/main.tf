data "cloudflare_zone" "this" {
  name = var.zone_name
}

locals {
  zone_id    = data.cloudflare_zone.this.id
  account_id = data.cloudflare_zone.this.account_id
  api_paths  = "(starts_with(http.request.uri.path, \"/api/\") or http.request.uri.path eq \"/api\" or http.request.uri.path eq \"/mcp\")"
  auth_paths = "(starts_with(http.request.uri.path, \"/auth/\") or http.request.uri.path eq \"/auth\")"
  on_host    = "http.host eq \"${var.hostname}\""
}

# ---------------------------------------------------------------------------- DNS
# Proxied records to the ingress; with use_tunnel, a CNAME to the tunnel (tunnel.tf).
resource "cloudflare_record" "ipv4" {
  count   = !var.use_tunnel && var.origin_ipv4 != "" ? 1 : 0
  zone_id = local.zone_id
  name    = var.hostname
  type    = "A"
  content = var.origin_ipv4
  proxied = true
  ttl     = 1
  comment = "Agent Hub ingress (managed by deploy/cloudflare)"
}

resource "cloudflare_record" "ipv6" {
  count   = !var.use_tunnel && var.origin_ipv6 != "" ? 1 : 0
  zone_id = local.zone_id
  name    = var.hostname
  type    = "AAAA"
  content = var.origin_ipv6
  proxied = true
  ttl     = 1
  comment = "Agent Hub ingress (managed by deploy/cloudflare)"
}

# -------------------------------------------------------------------- zone settings
resource "cloudflare_zone_settings_override" "this" {
  zone_id = local.zone_id

  settings {
    ssl                      = "strict"
    always_use_https         = "on"
    min_tls_version          = "1.2"
    tls_1_3                  = "on"
    automatic_https_rewrites = "on"
    opportunistic_encryption = "on"
    browser_check            = "on"
    security_level           = "medium"
    websockets               = "on"

    security_header {
      enabled            = true
      max_age            = var.hsts_max_age
      include_subdomains = false
      preload            = false
      nosniff            = true
    }
  }

  lifecycle {
    precondition {
      condition     = var.use_tunnel || var.origin_ipv4 != "" || var.origin_ipv6 != ""
      error_message = "Set origin_ipv4 and/or origin_ipv6, or use_tunnel = true."
    }
  }
}
