# Cloudflare in front of Agent Hub, as code. Provider: cloudflare/cloudflare 4.x (resource
# names below are the 4.x ones: cloudflare_record, cloudflare_zone_settings_override,
# cloudflare_ruleset with `rules` blocks, cloudflare_zero_trust_tunnel_cloudflared*).
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = "~> 4.52"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

# Authenticates with CLOUDFLARE_API_TOKEN from the environment. The token needs, on the
# zone: Zone Settings Edit, DNS Edit, Zone WAF Edit, Cache Rules Edit, Bot Management
# Edit, SSL and Certificates Edit; on the account (tunnel only): Cloudflare Tunnel Edit.
provider "cloudflare" {}
